// The distribution functions the regression gate needs (Student's t, normal, beta, binomial), on jstat. Pure.

import jstatPkg from 'jstat';

const { jStat } = jstatPkg;

/** The p-quantile of Student's t with `df` degrees of freedom; df = Infinity gives the normal quantile. */
export function tQuantile(p: number, df: number): number {
  return Number.isFinite(df) ? jStat.studentt.inv(p, df) : jStat.normal.inv(p, 0, 1);
}

/** P(T <= x) for Student's t with `df` degrees of freedom; df = Infinity gives the standard normal CDF. */
export function tCdf(x: number, df: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return Number.isFinite(df) ? jStat.studentt.cdf(x, df) : jStat.normal.cdf(x, 0, 1);
}

/** The p-quantile of the Beta(a, b) distribution. */
export function betaQuantile(p: number, a: number, b: number): number {
  return jStat.beta.inv(p, a, b);
}

/** P(X >= k) for X ~ Binomial(n, p): the exact upper tail. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return Math.min(1, Math.max(0, 1 - jStat.binomial.cdf(k - 1, n, p)));
}

/** P(X <= k) for X ~ Binomial(n, p): the exact lower tail. */
export function binomialLowerTail(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return Math.min(1, Math.max(0, jStat.binomial.cdf(k, n, p)));
}

/** The Clopper–Pearson bounds [lower, upper] of a binomial proportion x / n, each one-sided at level `oneSided` (e.g. 0.95). */
export function clopperPearson(x: number, n: number, oneSided: number): [number, number] {
  const a = 1 - oneSided;
  const lo = x === 0 ? 0 : betaQuantile(a, x, n - x + 1);
  const hi = x === n ? 1 : betaQuantile(1 - a, x + 1, n - x);
  return [lo, hi];
}
