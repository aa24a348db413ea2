// The within-run interval: a circular block bootstrap (Politis & Romano 1992) over 1-second intervals. Each interval
// is a vector of additive quantities (counts, sums, cumulative counts at thresholds); a replicate glues blocks of
// consecutive intervals, sums their vectors through prefix sums, and evaluates the statistic on the sum. Pure and
// deterministic: the PRNG is seeded.

import { seededRandom } from '../engine/random.ts';
import { automaticBlockLength } from './stats.ts';

/** A run's per-interval data for one statistic: n rows of d additive values, the statistic of their sum, and the series that sets the block length. */
export interface IntervalSeries {
  /** Row-major n x d values; row t is interval t. */
  rows: Float64Array;
  n: number;
  d: number;
  /** The statistic of summed rows, given the sum of any column j on demand (a statistic reads only the columns it needs). */
  stat: (column: (j: number) => number) => number;
  /** A scalar series whose dependence drives the statistic (its linearisation); sets the block length. */
  driver: Float64Array;
}

/** What the bootstrap found: the variance of log(statistic) and how it was obtained. */
export interface WithinRunSpread {
  /** Variance of the natural log of the statistic across replicates. */
  logVariance: number;
  blockLength: number;
  replicates: number;
}

function prefixSums(s: IntervalSeries): Float64Array {
  const p = new Float64Array((s.n + 1) * s.d);
  for (let t = 0; t < s.n; t++) {
    const o = t * s.d;
    for (let j = 0; j < s.d; j++) p[o + s.d + j] = p[o + j] + s.rows[o + j];
  }
  return p;
}

/**
 * The circular block bootstrap of log(stat): `replicates` resamples of n intervals in blocks of the automatic
 * length (Politis & White 2004), or `blockLength` when given. Replicates whose statistic is not finite and positive
 * are skipped; null when fewer than half remain.
 */
export function bootstrapLogVariance(s: IntervalSeries, opts: { seed: number; replicates?: number; blockLength?: number }): WithinRunSpread | null {
  if (s.n < 2) return null;
  const B = opts.replicates ?? 200;
  const L = Math.max(1, Math.min(s.n, opts.blockLength ?? automaticBlockLength(s.driver)));
  const p = prefixSums(s);
  const rand = seededRandom(opts.seed);
  const blocks = Math.ceil(s.n / L);
  // Each block of a replicate is one or two row ranges [from, to) (a block that wraps around the end is two).
  const from = new Int32Array(2 * blocks);
  const to = new Int32Array(2 * blocks);
  const cache = new Float64Array(s.d);
  const known = new Uint8Array(s.d);
  let ranges = 0;
  const column = (j: number): number => {
    if (known[j]) return cache[j];
    let sum = 0;
    for (let r = 0; r < ranges; r++) sum += p[to[r] * s.d + j] - p[from[r] * s.d + j];
    known[j] = 1;
    return (cache[j] = sum);
  };
  const logs: number[] = [];
  for (let rep = 0; rep < B; rep++) {
    ranges = 0;
    for (let filled = 0; filled < s.n; ) {
      const len = Math.min(L, s.n - filled);
      const start = Math.floor(rand() * s.n);
      const end = start + len;
      from[ranges] = start;
      to[ranges++] = Math.min(end, s.n);
      if (end > s.n) {
        from[ranges] = 0;
        to[ranges++] = end - s.n;
      }
      filled += len;
    }
    known.fill(0);
    const v = s.stat(column);
    if (Number.isFinite(v) && v > 0) logs.push(Math.log(v));
  }
  if (logs.length < B / 2) return null;
  let m = 0;
  for (const x of logs) m += x;
  m /= logs.length;
  let v = 0;
  for (const x of logs) v += (x - m) ** 2;
  return { logVariance: v / (logs.length - 1), blockLength: L, replicates: logs.length };
}
