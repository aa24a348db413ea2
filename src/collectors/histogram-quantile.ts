// Quantile estimation from cumulative histogram buckets, the way PromQL's histogram_quantile() does it:
// find the bucket holding the rank, interpolate linearly inside it, never extrapolate into +Inf.

/** Estimates quantile q (0..1) from cumulative buckets [upper bound, count] ending at +Infinity; null when empty or unusable. */
export function histogramQuantile(q: number, buckets: ReadonlyArray<readonly [number, number]>): number | null {
  if (Number.isNaN(q)) return null;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...buckets].filter(([, n]) => !Number.isNaN(n)).sort((a, b) => a[0] - b[0]);
  if (sorted.length < 2 || sorted[sorted.length - 1][0] !== Infinity) return null;
  // Cumulative counts must not decrease; scrape races can make them, so clamp like Prometheus' ensureMonotonic.
  const counts: number[] = [];
  let max = 0;
  for (const [, n] of sorted) {
    max = Math.max(max, n);
    counts.push(max);
  }
  const total = counts[counts.length - 1];
  if (total <= 0) return null;
  const rank = q * total;
  let b = counts.findIndex((n) => n >= rank);
  if (b < 0) b = counts.length - 1;
  if (b === sorted.length - 1) return sorted[sorted.length - 2][0];
  if (b === 0 && sorted[0][0] <= 0) return sorted[0][0];
  const start = b === 0 ? 0 : sorted[b - 1][0];
  const end = sorted[b][0];
  const below = b === 0 ? 0 : counts[b - 1];
  const inBucket = counts[b] - below;
  if (inBucket <= 0) return end;
  return start + (end - start) * ((rank - below) / inBucket);
}

/** Adds cumulative bucket sets bound by bound (to merge label sets, or intervals into a window). */
export function mergeBuckets(sets: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): Array<[number, number]> {
  const sum = new Map<number, number>();
  for (const set of sets) for (const [le, n] of set) sum.set(le, (sum.get(le) ?? 0) + n);
  return [...sum.entries()].sort((a, b) => a[0] - b[0]);
}
