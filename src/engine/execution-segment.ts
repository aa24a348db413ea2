// Execution segments with k6's semantics (k6 lib/execution_segment.go; k6 docs "Execution segment"), pure: a
// segment `from:to` (rationals in [0, 1]) of a sequence of segments that cover [0, 1] is one process's share of one
// schedule. Items (VUs, arrivals) are striped across the sequence's segments: over each run of `lcd` items (the least
// common denominator of the segments' lengths) a segment of length a/b takes a * lcd / b of them, spread as evenly
// as the sequence allows, so the processes of one sequence run disjoint shares whose union is the whole schedule.
// - VUs: a process runs scale(n) of n VUs (the members of its stripe among the first n), at every moment of a ramp.
// - Arrivals: a process starts the arrivals whose global index falls in its stripe.

import { ConfigError } from '../errors.ts';

/** A non-negative rational, reduced. */
interface Rat {
  n: bigint;
  d: bigint;
}

const gcdBig = (a: bigint, b: bigint): bigint => {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
};

function rat(n: bigint, d: bigint): Rat {
  const g = gcdBig(n, d) || 1n;
  return { n: n / g, d: d / g };
}

const cmp = (a: Rat, b: Rat): number => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};
const sub = (a: Rat, b: Rat): Rat => rat(a.n * b.d - b.n * a.d, a.d * b.d);
const ratString = (r: Rat): string => (r.d === 1n ? String(r.n) : `${r.n}/${r.d}`);

/** Parses a segment point as k6 does: a percentage (`50%`), a decimal (`0.5`) or a fraction (`1/2`). */
export function parseRat(text: string, path: string): Rat {
  const s = text.trim();
  const fail = (): never => {
    throw new ConfigError([{ path, message: `"${text}" is not a valid percentage, decimal or fraction` }], 'invalid execution segment');
  };
  let m = /^(\d+)%$/.exec(s);
  if (m) return rat(BigInt(m[1]!), 100n);
  m = /^(\d+)\/(\d+)$/.exec(s);
  if (m) return BigInt(m[2]!) === 0n ? fail() : rat(BigInt(m[1]!), BigInt(m[2]!));
  m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (m && s !== '' && s !== '.') {
    const frac = m[2] ?? '';
    return rat(BigInt(`${m[1] || '0'}${frac}`), 10n ** BigInt(frac.length));
  }
  return fail();
}

/** One segment, [from, to) of the schedule. */
export interface Segment {
  from: Rat;
  to: Rat;
}

function newSegment(from: Rat, to: Rat, path: string): Segment {
  const bad = (message: string): never => {
    throw new ConfigError([{ path, message }], 'invalid execution segment');
  };
  if (cmp(from, to) >= 0) bad(`the start (${ratString(from)}) must be less than the end (${ratString(to)})`);
  if (cmp(to, rat(1n, 1n)) > 0) bad(`the end (${ratString(to)}) can't be more than 1`);
  return { from, to };
}

/** `from:to`, or `to` (from 0); "" is the whole schedule. */
export function parseSegment(text: string, path = '--execution-segment'): Segment {
  if (text.trim() === '') return { from: rat(0n, 1n), to: rat(1n, 1n) };
  const [a, b] = text.includes(':') ? text.split(':', 2) : ['0', text];
  return newSegment(parseRat(a!, path), parseRat(b!, path), path);
}

/** `0,1/3,2/3,1`: at least two points, each segment starting where the previous ended. */
export function parseSequence(text: string, path = '--execution-segment-sequence'): Segment[] {
  const points = text.split(',');
  if (points.length < 2) throw new ConfigError([{ path, message: `at least 2 points are needed, ${points.length} given` }], 'invalid execution segment sequence');
  const rats = points.map((p) => parseRat(p, path));
  return rats.slice(1).map((to, i) => newSegment(rats[i]!, to, path));
}

/** The segment as k6 writes it: `1/3:2/3`. */
export function segmentString(s: Segment): string {
  return `${ratString(s.from)}:${ratString(s.to)}`;
}

/** The sequence filled out to cover [0, 1] (k6's GetFilledExecutionSegmentSequence). */
function filled(sequence: Segment[] | undefined, segment: Segment): Segment[] {
  const zero = rat(0n, 1n);
  const one = rat(1n, 1n);
  const out = sequence && sequence.length ? [...sequence] : cmp(sub(segment.to, segment.from), one) === 0 ? [{ from: zero, to: one }] : [segment];
  if (cmp(out[0]!.from, zero) !== 0) out.unshift({ from: zero, to: out[0]!.from });
  if (cmp(out[out.length - 1]!.to, one) !== 0) out.push({ from: out[out.length - 1]!.to, to: one });
  return out;
}

/** k6's striping: for each segment, the first item of its stripe and the gaps to the next ones (cycling), over lcd. */
function stripe(seq: readonly Segment[]): { lcd: number; offsets: number[][] } {
  const lengths = seq.map((s) => sub(s.to, s.from));
  let lcdBig = lengths[0]!.d;
  for (const l of lengths.slice(1)) lcdBig = (lcdBig * l.d) / gcdBig(lcdBig, l.d);
  const lcd = Number(lcdBig);
  const norm = lengths.map((l) => Number(l.n * (lcdBig / l.d)));
  const sorted = norm.map((num, index) => ({ num, index })).sort((a, b) => b.num - a.num); // stable: ties keep their order
  const offsets = seq.map((): number[] => []);
  const prev = seq.map(() => 0);
  const chosen = seq.map(() => 0);
  for (let i = 0; i < lcd; i++) {
    for (let k = 0; k < sorted.length; k++) {
      const num = chosen[k]! * lcd;
      const denom = sorted[k]!.num;
      const q = Math.floor(num / denom);
      if (i > q || (i === q && num % denom === 0)) {
        chosen[k]!++;
        const index = sorted[k]!.index;
        offsets[index]!.push(i - prev[index]!);
        prev[index] = i;
        if (offsets[index]!.length === denom) offsets[index]!.push(offsets[index]![0]! + lcd - i);
        break;
      }
    }
  }
  return { lcd, offsets };
}

/** One process's share of the schedule: its segment in its (filled) sequence, striped as k6 stripes it. */
export class ExecutionTuple {
  /** The first item of the stripe (0-based global index), the gaps between its items (cycling), and their period. */
  readonly start: number;
  readonly offsets: readonly number[];
  readonly lcd: number;
  private readonly members: ReadonlySet<number>;
  private readonly whole: boolean;

  constructor(
    readonly segment: Segment,
    readonly sequence: readonly Segment[],
  ) {
    const seq = filled(sequence.length ? [...sequence] : undefined, segment);
    const index = seq.findIndex((s) => cmp(s.from, segment.from) === 0 && cmp(s.to, segment.to) === 0);
    if (index < 0) {
      throw new ConfigError([{ path: '--execution-segment', message: `${segmentString(segment)} is not a segment of the sequence ${seq.map((s) => ratString(s.from)).concat(ratString(seq[seq.length - 1]!.to)).join(',')}` }], 'invalid execution segment');
    }
    this.whole = seq.length === 1;
    const { lcd, offsets } = stripe(seq);
    this.lcd = lcd;
    this.start = offsets[index]![0]!;
    this.offsets = offsets[index]!.slice(1);
    const members = new Set<number>();
    for (let i = this.start, g = 0; i < lcd; i += this.offsets[g++]!) members.add(i);
    this.members = members;
  }

  /** Parses the flags; undefined when neither is given (the whole schedule). */
  static fromFlags(segment: string | undefined, sequence: string | undefined): ExecutionTuple | undefined {
    if (segment === undefined && sequence === undefined) return undefined;
    return new ExecutionTuple(parseSegment(segment ?? ''), sequence ? parseSequence(sequence) : []);
  }

  /** This segment's share of `value` items (k6's ExecutionTuple.ScaleInt64): the stripe's members below `value`. */
  scale(value: number): number {
    if (this.whole) return value;
    let result = Math.floor(value / this.lcd) * this.offsets.length;
    const rest = value % this.lcd;
    for (let i = this.start, g = 0; i < rest; i += this.offsets[g++]!) result++;
    return result;
  }

  /** Whether the item of 0-based global index `g` (a VU, an arrival) belongs to this segment. */
  owns(g: number): boolean {
    return this.whole || this.members.has(g % this.lcd);
  }

  /** The global 0-based index of this segment's k-th item (0-based): its k-th VU is the whole test's VU of that index. */
  globalIndex(k: number): number {
    if (this.whole) return k;
    const m = this.offsets.length;
    let pos = this.start;
    for (let r = 0; r < k % m; r++) pos += this.offsets[r]!;
    return Math.floor(k / m) * this.lcd + pos;
  }

  /** The segment's length as a number (its share of a rate). */
  get share(): number {
    const l = sub(this.segment.to, this.segment.from);
    return Number(l.n) / Number(l.d);
  }

  /** The flags that rebuild it, for run.json. */
  describe(): { segment: string; sequence?: string } {
    const seq = this.sequence.length ? [ratString(this.sequence[0]!.from), ...this.sequence.map((s) => ratString(s.to))].join(',') : undefined;
    return { segment: segmentString(this.segment), ...(seq ? { sequence: seq } : {}) };
  }
}
