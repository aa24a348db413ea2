// Fast exact merging of encoded latency histograms: each encoded HDR histogram (V2, compressed) is decoded straight
// into sparse (bucket index -> count) pairs of perfgate's layout, and read with hdr-histogram-js's own rules (same
// percentile, mean, min and max). Decoding through the library allocates and scans a full counts array per record,
// which is too slow for a long run's thousands of records; the results here are identical bucket for bucket.

import { inflateSync } from 'node:zlib';
import * as hdr from 'hdr-histogram-js';
import { createHistogram } from './histogram.ts';

interface Layout {
  countsArrayLength: number;
  countsArrayIndex(value: number): number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
  lowestEquivalentValue(value: number): number;
  medianEquivalentValue(value: number): number;
  unitMagnitude: number;
  numberOfSignificantValueDigits: number;
}

const layout = createHistogram() as unknown as Layout;
const COMPRESSED_V2 = 0x1c849304;
const PLAIN_V2 = 0x1c849303;

/** The distance to the next double above x (as Java's Math.ulp), for hdr's percentile rounding. */
function ulp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  return 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52);
}

/** The 1-based rank of a percentile (0..100) among `total` values, rounded as hdr-histogram-js rounds it. */
function rankOf(percentile: number, total: number): number {
  const fp = (Math.min(percentile, 100) / 100) * total;
  return Math.max(Math.ceil(fp - ulp(fp)), 1);
}

/**
 * Calls fn with each non-empty bucket (index in perfgate's layout, count) of an encoded histogram ("" has none),
 * decoding it in place: no histogram is built, so a record can go into several merged ones for one decode.
 */
export function forEachBucket(encoded: string, fn: (index: number, count: number) => void): void {
  if (!encoded) return;
  const raw = Buffer.from(encoded, 'base64');
  const body = (raw.readInt32BE(0) & ~0xf0) === COMPRESSED_V2 ? inflateSync(raw.subarray(8, 8 + raw.readInt32BE(4))) : null;
  if (!body || (body.readInt32BE(0) & ~0xf0) !== PLAIN_V2) return forEachForeignBucket(encoded, fn);
  const payloadLength = body.readInt32BE(4);
  const digits = body.readInt32BE(12);
  const lowest = body.readUInt32BE(16) * 2 ** 32 + body.readUInt32BE(20);
  // hdr-histogram-js writes 1 as the normalizing index offset and ignores it when decoding, as we do.
  if (digits !== layout.numberOfSignificantValueDigits || Math.floor(Math.log2(lowest)) !== layout.unitMagnitude) {
    return forEachForeignBucket(encoded, fn);
  }
  let pos = 40;
  const end = pos + payloadLength;
  let index = 0;
  while (pos < end) {
    // ZigZag LEB128 (at most 9 bytes, the 9th with all 8 bits); negative values are runs of empty buckets.
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 9; i++) {
      const b = body[pos++];
      if (i === 8) {
        value += b * scale;
        break;
      }
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) break;
    }
    const count = value % 2 === 1 ? -(value + 1) / 2 : value / 2;
    if (count < 0) index += -count;
    else {
      if (count > 0) fn(index, count);
      index++;
    }
  }
}

/** A histogram of another layout: decode through the library and re-bucket into perfgate's layout. */
function forEachForeignBucket(encoded: string, fn: (index: number, count: number) => void): void {
  const h = hdr.decodeFromCompressedBase64(encoded, 32, false) as unknown as { recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } } };
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    fn(layout.countsArrayIndex(v.valueIteratedTo), v.countAtValueIteratedTo);
  }
}

/** A merged latency histogram in microseconds: counts per bucket index of perfgate's layout. */
export class SparseHistogram {
  readonly counts = new Map<number, number>();
  totalCount = 0;
  /** Bucket indexes in ascending order; rebuilt only when a new bucket appears (counts change in place). */
  private keys: number[] | null = null;

  /** Adds an encoded histogram ("" adds nothing). */
  addEncoded(encoded: string): this {
    forEachBucket(encoded, (index, count) => this.add(index, count));
    return this;
  }

  /** Adds `count` values to the bucket at `index` of perfgate's layout. */
  add(index: number, count: number): void {
    const before = this.counts.get(index);
    if (before === undefined) this.keys = null;
    this.counts.set(index, (before ?? 0) + count);
    this.totalCount += count;
  }

  /** Empties the histogram, for reuse. */
  clear(): this {
    this.counts.clear();
    this.totalCount = 0;
    this.keys = null;
    return this;
  }

  /** Adds every count of another sparse histogram. */
  merge(other: SparseHistogram): this {
    for (const [i, c] of other.counts) this.add(i, c);
    return this;
  }

  /** Bucket indexes holding values, ascending (cached until a new bucket appears). */
  private sortedKeys(): number[] {
    if (!this.keys) this.keys = [...this.counts.keys()].filter((k) => (this.counts.get(k) as number) > 0).sort((a, b) => a - b);
    return this.keys;
  }

  /**
   * Cumulative counts at upper bounds (us), as Prometheus `le` buckets: a value counts at or below a bound when its
   * HDR bucket's highest equivalent value does (the value percentiles report), so both agree on which side it is.
   */
  cumulativeAtUs(boundsUs: readonly number[]): number[] {
    const keys = this.sortedKeys();
    return boundsUs.map((bound) => {
      let c = 0;
      for (const i of keys) {
        if (layout.highestEquivalentValue(layout.valueFromIndex(i)) > bound) break;
        c += this.counts.get(i) as number;
      }
      return c;
    });
  }

  /** The value (us) at a percentile (0..100), as hdr-histogram-js's getValueAtPercentile; null when empty. */
  percentileUs(percentile: number): number | null {
    return this.percentilesUs([percentile])[0];
  }

  /** Values (us) at several percentiles (0..100, ascending) in one pass, each as percentileUs; nulls when empty. */
  percentilesUs(percentiles: readonly number[]): Array<number | null> {
    const out: Array<number | null> = percentiles.map(() => null);
    if (this.totalCount === 0 || percentiles.length === 0) return out;
    let k = 0;
    let rank = rankOf(percentiles[0], this.totalCount);
    let cumulative = 0;
    for (const i of this.sortedKeys()) {
      cumulative += this.counts.get(i) as number;
      while (k < percentiles.length && cumulative >= rank) {
        const v = layout.valueFromIndex(i);
        out[k] = percentiles[k] === 0 ? layout.lowestEquivalentValue(v) : layout.highestEquivalentValue(v);
        if (++k < percentiles.length) rank = rankOf(percentiles[k], this.totalCount);
      }
      if (k === percentiles.length) break;
    }
    return out;
  }

  /** Mean (us) from bucket median values, as hdr-histogram-js's mean; null when empty. */
  meanUs(): number | null {
    if (this.totalCount === 0) return null;
    let sum = 0;
    for (const i of this.sortedKeys()) sum += layout.medianEquivalentValue(layout.valueFromIndex(i)) * (this.counts.get(i) as number);
    return sum / this.totalCount;
  }

  /** Smallest non-zero value (us), as a decoded hdr histogram's minNonZeroValue; null when empty. */
  minUs(): number | null {
    const first = this.sortedKeys().find((i) => i !== 0);
    return first !== undefined ? layout.valueFromIndex(first) : null;
  }

  /** Largest value (us), as a decoded hdr histogram's maxValue; null when empty. */
  maxUs(): number | null {
    const keys = this.sortedKeys();
    return keys.length ? layout.highestEquivalentValue(layout.valueFromIndex(keys[keys.length - 1])) : null;
  }
}

const decoded = new Map<string, SparseHistogram>();
const DECODED_MAX = 50_000;

/**
 * The decoded histogram of an encoded one, memoised (bounded) so that a run's records are inflated once however
 * many aggregations read them. The result is shared: merge it into another, never modify it.
 */
export function decodeSparse(encoded: string): SparseHistogram {
  let h = decoded.get(encoded);
  if (!h) {
    if (decoded.size >= DECODED_MAX) decoded.clear();
    h = new SparseHistogram().addEncoded(encoded);
    decoded.set(encoded, h);
  }
  return h;
}

/** Merges encoded histograms into one sparse histogram. */
export function mergeEncodedSparse(encoded: Iterable<string>, into = new SparseHistogram()): SparseHistogram {
  for (const e of encoded) if (e) into.merge(decodeSparse(e));
  return into;
}

const BLOCK = 256;

/**
 * A sliding-window latency histogram: dense counts over perfgate's layout, to which sparse histograms are added as
 * they enter the window and subtracted as they leave; percentiles read as hdr-histogram-js reads them. Block sums
 * keep each read to a few hundred steps whatever the window holds.
 */
export class WindowHistogram {
  private readonly counts = new Float64Array(layout.countsArrayLength);
  private readonly blocks = new Float64Array(Math.ceil(layout.countsArrayLength / BLOCK));
  totalCount = 0;

  /** Adds (sign 1) or removes (sign -1) a sparse histogram. */
  apply(h: SparseHistogram, sign: 1 | -1): void {
    for (const [i, c] of h.counts) {
      this.counts[i] += sign * c;
      this.blocks[Math.floor(i / BLOCK)] += sign * c;
      this.totalCount += sign * c;
    }
  }

  /** The value (us) at a percentile (0..100), as SparseHistogram.percentileUs; null when empty. */
  percentileUs(percentile: number): number | null {
    if (this.totalCount <= 0) return null;
    const rank = rankOf(percentile, this.totalCount);
    let cumulative = 0;
    for (let b = 0; b < this.blocks.length; b++) {
      if (cumulative + this.blocks[b] < rank) {
        cumulative += this.blocks[b];
        continue;
      }
      for (let i = b * BLOCK; i < Math.min((b + 1) * BLOCK, this.counts.length); i++) {
        cumulative += this.counts[i];
        if (this.counts[i] > 0 && cumulative >= rank) {
          const v = layout.valueFromIndex(i);
          return percentile === 0 ? layout.lowestEquivalentValue(v) : layout.highestEquivalentValue(v);
        }
      }
    }
    return null;
  }
}
