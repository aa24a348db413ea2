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
  /** The statistic of a summed d-vector (the run-level value when given the sum of all rows). */
  stat: (sum: Float64Array) => number;
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

/** Adds the sum of rows [from, to) (to <= n) into acc. */
function addRange(p: Float64Array, d: number, from: number, to: number, acc: Float64Array): void {
  const a = from * d;
  const b = to * d;
  for (let j = 0; j < d; j++) acc[j] += p[b + j] - p[a + j];
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
  const acc = new Float64Array(s.d);
  const logs: number[] = [];
  for (let r = 0; r < B; r++) {
    acc.fill(0);
    for (let filled = 0; filled < s.n; ) {
      const len = Math.min(L, s.n - filled);
      const start = Math.floor(rand() * s.n);
      const end = start + len;
      if (end <= s.n) addRange(p, s.d, start, end, acc);
      else {
        addRange(p, s.d, start, s.n, acc);
        addRange(p, s.d, 0, end - s.n, acc);
      }
      filled += len;
    }
    const v = s.stat(acc);
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
