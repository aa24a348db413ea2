// Empirical-Bayes moderation of the run-to-run variances of one comparison (Smyth 2004, the "moderated t" of limma):
// the statistics compared at once share a prior for their log-scale variances, estimated from the family of sample
// variances, and each statistic's variance is shrunk towards it, with the prior's degrees of freedom added to its own.
// Pure: numbers in, numbers out.

/** The digamma function psi(x) for x > 0 (recurrence to x >= 6, then the asymptotic series). */
export function digamma(x: number): number {
  let r = 0;
  while (x < 6) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

/** The trigamma function psi'(x) for x > 0 (recurrence to x >= 6, then the asymptotic series). */
export function trigamma(x: number): number {
  let r = 0;
  while (x < 6) {
    r += 1 / (x * x);
    x += 1;
  }
  const f = 1 / (x * x);
  return r + 1 / x + f / 2 + (f / x) * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30)));
}

/** The x > 0 with trigamma(x) = y (trigamma decreases from +inf to 0), by bisection on the log scale. */
export function trigammaInverse(y: number): number {
  if (!(y > 0)) return Infinity;
  let lo = Math.log(1e-8);
  let hi = Math.log(1e8);
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (trigamma(Math.exp(mid)) > y) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** The prior of a family of variances: s^2 ~ s0^2 * d0 / chi^2(d0); d0 = Infinity means all share s0^2. */
export interface VariancePrior {
  /** Prior degrees of freedom d0. */
  df: number;
  /** Prior variance s0^2. */
  variance: number;
  /** Members it was estimated from. */
  members: number;
  /** Their summed degrees of freedom: the cap on a moderated statistic's degrees of freedom (as limma's df.pooled). */
  pooledDf: number;
}

/** Fewest variances the prior is estimated from; with fewer, nothing is moderated. */
export const MIN_FAMILY = 3;

/**
 * Estimates the prior by the moments of log s^2 (Smyth 2004, section 6.2): with e_g = log s_g^2 - psi(d_g / 2) +
 * log(d_g / 2), the mean of e estimates log s0^2 - psi(d0 / 2) + log(d0 / 2), and the variance of e less the mean of
 * psi'(d_g / 2) estimates psi'(d0 / 2). A variance of e no larger than the sampling variance alone gives d0 = Infinity.
 * Returns null for fewer than MIN_FAMILY positive variances.
 */
export function fitVariancePrior(family: ReadonlyArray<{ variance: number; df: number }>): VariancePrior | null {
  const xs = family.filter((f) => f.variance > 0 && f.df > 0 && Number.isFinite(f.variance));
  const G = xs.length;
  if (G < MIN_FAMILY) return null;
  const e = xs.map((f) => Math.log(f.variance) - digamma(f.df / 2) + Math.log(f.df / 2));
  const eBar = e.reduce((a, x) => a + x, 0) / G;
  const between = e.reduce((a, x) => a + (x - eBar) ** 2, 0) / (G - 1) - xs.reduce((a, f) => a + trigamma(f.df / 2), 0) / G;
  const pooledDf = xs.reduce((a, f) => a + f.df, 0);
  if (!(between > 0)) return { df: Infinity, variance: Math.exp(eBar), members: G, pooledDf };
  const d0 = 2 * trigammaInverse(between);
  return { df: d0, variance: Math.exp(eBar + digamma(d0 / 2) - Math.log(d0 / 2)), members: G, pooledDf };
}

/** The posterior variance (d0 s0^2 + d s^2) / (d0 + d) and its degrees of freedom d0 + d, capped at the pooled df. */
export function moderateVariance(variance: number, df: number, prior: VariancePrior): { variance: number; df: number } {
  const total = Math.min(df + prior.df, prior.pooledDf);
  if (!Number.isFinite(prior.df)) return { variance: prior.variance, df: total };
  return { variance: (prior.df * prior.variance + df * variance) / (prior.df + df), df: total };
}

/**
 * The degrees of freedom a family's spreads hold together. Statistics of one comparison share the baselines'
 * run-to-run drift, so their sample variances are correlated (cov(s_g^2, s_h^2) = rho_gh^2 * sqrt(var s_g^2 var s_h^2)
 * for normal deviations) and pooling G of them gains less than G times the degrees of freedom: sum(d_g) * G /
 * sum_gh rho_gh^2, with rho^2 each pair's adjusted squared correlation over the baselines (1 when they were measured
 * on different baselines: `runs` marks which baselines hold each member, one character per baseline).
 */
export function correlatedPooledDf(members: ReadonlyArray<{ logs: readonly number[]; runs: string }>): number {
  const dev = members.map((m) => {
    const centre = m.logs.reduce((a, x) => a + x, 0) / m.logs.length;
    return m.logs.map((x) => x - centre);
  });
  let sumRho2 = 0;
  for (let g = 0; g < members.length; g++) {
    for (let h = 0; h < members.length; h++) {
      if (g === h || members[g].runs !== members[h].runs) sumRho2 += 1;
      else sumRho2 += adjustedRho2(dev[g], dev[h]);
    }
  }
  return (members.reduce((a, m) => a + m.logs.length - 1, 0) * members.length) / sumRho2;
}

/** The adjusted squared correlation 1 - (1 - r^2)(n - 1)/(n - 2) of two centred series, held within [0, 1]. */
function adjustedRho2(a: readonly number[], b: readonly number[]): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) (ab += a[i] * b[i], aa += a[i] ** 2, bb += b[i] ** 2);
  const n = a.length;
  if (n < 3 || aa === 0 || bb === 0) return 1;
  const r2 = (ab * ab) / (aa * bb);
  return Math.min(1, Math.max(0, 1 - ((1 - r2) * (n - 1)) / (n - 2)));
}
