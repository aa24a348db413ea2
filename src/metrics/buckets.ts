// Cumulative histogram buckets (Prometheus `le` buckets): normalising, merging, and quantiles the way PromQL's
// histogram_quantile() computes them. The one implementation for collectors, the gate, the report and compare.
// Pure: buckets in, numbers out.

/** Cumulative buckets with numeric bounds (+Inf as Infinity), sorted by bound. */
export type NumericBuckets = Array<[number, number]>;

/** Cumulative buckets as stored in samples.ndjson or as parsed: [upper bound, cumulative count], +Inf as '+Inf' or Infinity. */
export type AnyBuckets = ReadonlyArray<readonly [number | '+Inf', number]>;

/** Normalises buckets: '+Inf' to Infinity, sorted by bound, and an +Inf bucket added when missing. */
export function toNumericBuckets(buckets: AnyBuckets): NumericBuckets {
  const out = numeric(buckets);
  if (out.length && out[out.length - 1][0] !== Infinity) out.push([Infinity, out[out.length - 1][1]]);
  return out;
}

/** '+Inf' to Infinity, sorted by bound; bounds and counts that are not numbers dropped. */
function numeric(buckets: AnyBuckets): NumericBuckets {
  const out: NumericBuckets = [];
  for (const [le, c] of buckets) {
    const bound = le === '+Inf' ? Infinity : Number(le);
    if (!Number.isNaN(bound) && !Number.isNaN(c)) out.push([bound, c]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * Adds cumulative bucket sets (label sets, or intervals into a window). Bounds missing from a set's layout count as
 * the cumulative count of its largest bound below (a step function), so differing layouts merge without inventing
 * observations.
 */
export function mergeBuckets(list: ReadonlyArray<AnyBuckets>): NumericBuckets {
  const layouts = list.map(toNumericBuckets);
  const bounds = [...new Set(layouts.flatMap((l) => l.map(([b]) => b)))].sort((a, b) => a - b);
  return bounds.map((bound) => {
    let total = 0;
    for (const l of layouts) {
      let c = 0;
      for (const [b, count] of l) {
        if (b > bound) break;
        c = count;
      }
      total += c;
    }
    return [bound, total];
  });
}

/**
 * The q-quantile (0..1) of cumulative buckets, as Prometheus' histogram_quantile: q outside [0, 1] gives -Inf or
 * +Inf; buckets must end at +Inf and hold at least two bounds; counts that decrease (a scrape race) are clamped
 * (Prometheus' ensureMonotonic); the bucket holding rank q * total is interpolated linearly (the first bucket starts
 * at 0, or is returned as is when its bound is <= 0); a rank in the +Inf bucket gives the highest finite bound.
 * q = 0 takes the first bucket that holds anything. null where PromQL gives NaN (q NaN, no +Inf, no observation).
 */
export function histogramQuantile(q: number, buckets: AnyBuckets): number | null {
  if (Number.isNaN(q)) return null;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = numeric(buckets);
  if (sorted.length < 2 || sorted[sorted.length - 1][0] !== Infinity) return null;
  const counts: number[] = [];
  let max = 0;
  for (const [, n] of sorted) counts.push((max = Math.max(max, n)));
  const total = counts[counts.length - 1];
  if (!(total > 0)) return null;
  const rank = q * total;
  const last = sorted.length - 1;
  let b = counts.findIndex((n) => (rank === 0 ? n > 0 : n >= rank));
  if (b < 0 || b === last) return sorted[last - 1][0];
  if (b === 0 && sorted[0][0] <= 0) return sorted[0][0];
  const start = b === 0 ? 0 : sorted[b - 1][0];
  const below = b === 0 ? 0 : counts[b - 1];
  const inBucket = counts[b] - below;
  if (inBucket <= 0) return sorted[b][0];
  return start + ((sorted[b][0] - start) * (rank - below)) / inBucket;
}

/** Mean of cumulative buckets from bucket midpoints (the +Inf bucket counts at the highest finite bound); an estimate. */
export function bucketMean(buckets: NumericBuckets): number | null {
  const total = buckets.length ? buckets[buckets.length - 1][1] : 0;
  if (total === 0) return null;
  let sum = 0;
  let prevBound = 0;
  let prevCount = 0;
  let lastFinite = 0;
  for (const [b, c] of buckets) {
    const n = c - prevCount;
    const mid = b === Infinity ? lastFinite : (prevBound + b) / 2;
    sum += n * mid;
    prevCount = c;
    if (b !== Infinity) prevBound = lastFinite = b;
  }
  return sum / total;
}

/** The HTTP latency bucket edges in seconds, shared by the target's histogram and the harness' own: 0.05, 0.1, 0.2 and 0.5 are the SLO edges, 5 the P0 one. */
export const HTTP_SLO_BUCKETS_S: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10];
