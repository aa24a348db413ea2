// Zipf-distributed ranks for skewed feeder picks: P(rank k) = (1/k^s) / H(n, s), k = 1..n, where H(n, s) is the
// generalised harmonic number. Sampled by inversion: a precomputed cumulative table, searched by bisection for each
// uniform draw (Devroye, "Non-Uniform Random Variate Generation", 1986, section III.2.1). Exact, O(n) to build and
// O(log n) per draw; the table is one float per row, beside rows the feeder already holds in memory.

/** The probability of each rank under Zipf(n, s), most popular first (index 0 is rank 1). */
export function zipfProbabilities(n: number, exponent: number): Float64Array {
  const weights = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += weights[k] = Math.pow(k + 1, -exponent);
  for (let k = 0; k < n; k++) weights[k]! /= sum;
  return weights;
}

/** The cumulative table of Zipf(n, s): cdf[i] = P(rank <= i + 1); the last entry is exactly 1. */
export function zipfCdf(n: number, exponent: number): Float64Array {
  const cdf = zipfProbabilities(n, exponent);
  for (let k = 1; k < n; k++) cdf[k]! += cdf[k - 1]!;
  if (n > 0) cdf[n - 1] = 1;
  return cdf;
}

/** The first index whose cumulative probability exceeds u, for u in [0, 1) (bisection). */
export function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u < cdf[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A sampler of 0-based ranks under Zipf(n, s): maps a uniform u in [0, 1) to the rank's index (0 is the most popular). */
export function zipfSampler(n: number, exponent: number): (u: number) => number {
  const cdf = zipfCdf(n, exponent);
  return (u) => searchCdf(cdf, u);
}
