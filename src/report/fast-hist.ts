// Fast, exact histogram arithmetic for the report: encoded HDR histograms are decoded straight into
// (bucket index, count) pairs of perfgate's histogram layout (1 us..60 s, 3 digits), merged by adding counts into
// a dense counts array, and read with the same percentile rule as hdr-histogram-js. Decoding through the library
// allocates a histogram per record, which is too slow for 18,000 records; the result is identical bucket for bucket.

import { inflateSync } from 'node:zlib';
import * as hdr from 'hdr-histogram-js';
import { createHistogram } from '../metrics/histogram.ts';

interface LayoutHistogram {
  countsArrayIndex(value: number): number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
  getCountAtIndex(index: number): number;
  countsArrayLength: number;
  unitMagnitude: number;
  numberOfSignificantValueDigits: number;
}

const V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
const V2_COOKIE_BASE = 0x1c849303;
const reference = createHistogram() as unknown as LayoutHistogram;
const highestCache = new Map<number, number>();

/** Number of buckets of perfgate's histogram layout. */
export const BUCKETS = reference.countsArrayLength;

/** The highest value (us) that falls into a bucket index, as hdr-histogram-js reports percentiles. */
export function bucketValueUs(index: number): number {
  let v = highestCache.get(index);
  if (v === undefined) {
    v = reference.highestEquivalentValue(reference.valueFromIndex(index));
    highestCache.set(index, v);
  }
  return v;
}

/** Decoded (bucket index, count) pairs of one encoded histogram; reuse one to avoid allocations. */
export class Pairs {
  indexes = new Int32Array(256);
  counts = new Float64Array(256);
  length = 0;

  /** Appends one pair, growing the arrays when needed. */
  push(index: number, count: number): void {
    if (this.length === this.indexes.length) {
      const i = new Int32Array(this.length * 2);
      i.set(this.indexes);
      const c = new Float64Array(this.length * 2);
      c.set(this.counts);
      this.indexes = i;
      this.counts = c;
    }
    this.indexes[this.length] = index;
    this.counts[this.length++] = count;
  }
}

/** Decodes an encoded histogram ("" gives nothing) into pairs of perfgate's layout, replacing their contents. */
export function decodePairs(encoded: string, out: Pairs = new Pairs()): Pairs {
  out.length = 0;
  if (!encoded) return out;
  const raw = Buffer.from(encoded, 'base64');
  if ((raw.readInt32BE(0) & ~0xf0) !== V2_COMPRESSED_COOKIE_BASE) throw new Error('histogram: not a V2 compressed encoding');
  const body = inflateSync(raw.subarray(8, 8 + raw.readInt32BE(4)));
  if ((body.readInt32BE(0) & ~0xf0) !== V2_COOKIE_BASE) throw new Error('histogram: not a V2 encoding');
  const payloadLength = body.readInt32BE(4);
  const digits = body.readInt32BE(12);
  const lowest = body.readInt32BE(16) * 2 ** 32 + body.readUInt32BE(20);
  if (digits !== reference.numberOfSignificantValueDigits || Math.floor(Math.log2(lowest)) !== reference.unitMagnitude) {
    return decodeForeign(encoded, out);
  }
  let pos = 40;
  const end = pos + payloadLength;
  let index = 0;
  while (pos < end) {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 9; i++) {
      const b = body[pos++];
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) break;
    }
    const count = value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    if (count < 0) index += -count;
    else {
      if (count > 0 && index < BUCKETS) out.push(index, count);
      index++;
    }
  }
  return out;
}

/** A histogram of another layout: decode through the library and re-bucket into perfgate's layout. */
function decodeForeign(encoded: string, out: Pairs): Pairs {
  const h = hdr.decodeFromCompressedBase64(encoded, 32, false) as unknown as LayoutHistogram;
  for (let i = 0; i < h.countsArrayLength; i++) {
    const c = h.getCountAtIndex(i);
    if (c > 0) out.push(Math.min(BUCKETS - 1, reference.countsArrayIndex(h.valueFromIndex(i))), c);
  }
  return out;
}

function ulp(x: number): number {
  return x === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52);
}

/** A merged latency histogram: a dense counts array over perfgate's layout. */
export class DenseHist {
  readonly counts = new Float64Array(BUCKETS);
  total = 0;
  private lo = BUCKETS;
  private hi = -1;

  /** Adds decoded pairs. */
  addPairs(p: Pairs): this {
    for (let k = 0; k < p.length; k++) {
      const i = p.indexes[k];
      this.counts[i] += p.counts[k];
      this.total += p.counts[k];
      if (i < this.lo) this.lo = i;
      if (i > this.hi) this.hi = i;
    }
    return this;
  }

  /** Decodes and adds an encoded histogram. */
  addEncoded(encoded: string): this {
    return this.addPairs(decodePairs(encoded));
  }

  /** Values at several percentiles (0..100, ascending) in ms, in one pass; nulls when empty. */
  percentilesMs(percentiles: number[]): Array<number | null> {
    if (this.total === 0) return percentiles.map(() => null);
    const out: Array<number | null> = [];
    let k = 0;
    let cumulative = 0;
    const targetOf = (p: number): number => {
      const fp = (Math.min(p, 100) / 100) * this.total;
      return Math.max(Math.ceil(fp - ulp(fp)), 1);
    };
    let target = targetOf(percentiles[0]);
    for (let i = this.lo; i <= this.hi && k < percentiles.length; i++) {
      cumulative += this.counts[i];
      while (k < percentiles.length && cumulative >= target) {
        out.push(bucketValueUs(i) / 1000);
        k++;
        if (k < percentiles.length) target = targetOf(percentiles[k]);
      }
    }
    while (out.length < percentiles.length) out.push(bucketValueUs(this.hi) / 1000);
    return out;
  }

  /** The value at one percentile (0..100) in ms; null when empty. */
  percentileMs(percentile: number): number | null {
    return this.percentilesMs([percentile])[0];
  }

  /** Empties the histogram (only the touched range is cleared). */
  reset(): this {
    if (this.hi >= this.lo) this.counts.fill(0, this.lo, this.hi + 1);
    this.total = 0;
    this.lo = BUCKETS;
    this.hi = -1;
    return this;
  }

  /** The highest recorded latency (top of its bucket) in ms; null when empty. */
  maxMs(): number | null {
    return this.total === 0 ? null : bucketValueUs(this.hi) / 1000;
  }
}
