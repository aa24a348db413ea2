// The error term and the test of one comparison, before the multiple-comparison step. Run-level values are compared
// on the log scale, so changes are ratios. With k >= 2 baselines the candidate is judged against the baselines'
// prediction interval, mean +- t(k-1) * s * sqrt(1 + 1/k), s moderated across the comparison's statistics; with one,
// the difference of the two runs has the variance
// of both within-run bootstraps plus twice the run-to-run variance. Error rates use the exact conditional binomial
// test. Pure.

import { binomialLowerTail, binomialUpperTail, clopperPearson, tCdf, tQuantile } from './distributions.ts';
import { moderateVariance, type VariancePrior } from './moderate.ts';
import { mean, sampleSd } from './stats.ts';
import type { Direction, NoiseSource } from './types.ts';

/** One-sided level of each test (a 90% two-sided interval). */
export const ALPHA = 0.05;
/** Power at which the minimum detectable effect is stated. */
export const POWER = 0.8;

/** The test of one comparison: the log change, its standard error and degrees of freedom, and the one-sided p-values. */
export interface TestResult {
  /** log(candidate / baseline centre). */
  logChange: number;
  se: number;
  df: number;
  pWorse: number;
  pBetter: number;
  /** [lo, hi] of the ratio candidate / baseline, each bound one-sided at 1 - ALPHA. */
  interval: [number, number];
  /** Smallest detectable change, as a log ratio, at one-sided ALPHA and POWER. */
  mdeLog: number;
  noise: NoiseSource;
}

/** The spread of run-level log values from elsewhere than the baselines: learnt from same-build runs, or the default. */
export interface RunToRunSpread {
  /** Standard deviation of a run's log value around its build's mean. */
  sd: number;
  df: number;
  source: 'learnt' | 'default';
  /** True when sd already includes the within-run sampling noise (learnt from run-level values). */
  includesWithinRun: boolean;
  /** Runs it was learnt from. */
  runs?: number;
}

/** The default run-to-run spread of a run-level statistic on a shared machine: 5% (an assumption, marked in the output). */
export const DEFAULT_RUN_TO_RUN_SD = 0.05;

/** The smallest log change detected with POWER by a one-sided test at `level` (default ALPHA). */
export function mdeLogOf(se: number, df: number, level = ALPHA): number {
  return (tQuantile(1 - level, df) + tQuantile(POWER, df)) * se;
}

function finish(logChange: number, se: number, df: number, direction: Direction, noise: NoiseSource): TestResult {
  const z = logChange / se;
  const up = 1 - tCdf(z, df);
  const down = tCdf(z, df);
  const h = tQuantile(1 - ALPHA, df) * se;
  return {
    logChange, se, df, noise,
    pWorse: direction === 'higher-is-worse' ? up : down,
    pBetter: direction === 'higher-is-worse' ? down : up,
    interval: [Math.exp(logChange - h), Math.exp(logChange + h)],
    mdeLog: mdeLogOf(se, df),
  };
}

/** The log of a run-level value, floored at half the metric's resolution so zeros stay finite. */
export function logValue(v: number, resolution: number): number {
  return Math.log(Math.max(v, resolution / 2));
}

/**
 * Prediction-interval test (k >= 2 baselines): t = (y - mean) / (s * sqrt(1 + 1/k)), k - 1 degrees of freedom. With a
 * prior from the comparison's family of spreads (moderate.ts), s^2 is the moderated variance and the degrees of freedom
 * are k - 1 + d0 (capped at the family's pooled df). The spread s is at least `floorLog` (the metric's resolution at
 * its level), so identical baselines cannot make a meaningless difference significant.
 */
export function predictionTest(baselineLogs: readonly number[], candidateLog: number, direction: Direction, floorLog: number, prior?: VariancePrior): TestResult {
  const k = baselineLogs.length;
  const raw = { variance: sampleSd(baselineLogs) ** 2, df: k - 1 };
  const { variance, df } = prior ? moderateVariance(raw.variance, raw.df, prior) : raw;
  const s = Math.max(Math.sqrt(variance), floorLog);
  return finish(candidateLog - mean(baselineLogs), s * Math.sqrt(1 + 1 / k), df, direction, 'baselines');
}

/**
 * One-baseline test: the difference of the two runs' log values, with variance vB + vC + 2 tau^2 (within-run
 * bootstraps plus the run-to-run spread), or 2 s^2 when the spread was learnt from run-level values.
 */
export function singleBaselineTest(baselineLog: number, candidateLog: number, direction: Direction, within: { baseline: number; candidate: number }, spread: RunToRunSpread, floorLog: number): TestResult {
  const v = spread.includesWithinRun ? 2 * spread.sd ** 2 : within.baseline + within.candidate + 2 * spread.sd ** 2;
  const se = Math.max(Math.sqrt(v), floorLog * Math.SQRT2);
  return finish(candidateLog - baselineLog, se, spread.source === 'default' ? Infinity : spread.df, direction, spread.source);
}

/** The exact test of an error rate: the candidate's failures out of all failures, given the request counts. */
export interface ErrorRateTest extends TestResult {
  baselineRate: number;
  candidateRate: number;
  /** One-sided upper bound of the candidate's error rate (Clopper–Pearson). */
  candidateUpper: number;
  /** The smallest p-value of "worse" this test can reach (all failures in the candidate), for Tarone's rule. */
  minPWorse: number;
}

/**
 * Conditional binomial test of two error rates (the exact test for a ratio of Poisson rates): given N failures in
 * all, the candidate's count is Binomial(N, nC / (nB + nC)) when the rates are equal. The rate ratio's interval comes
 * from the Clopper–Pearson interval of that proportion. Failures of several baselines are pooled.
 */
export function errorRateTest(b: { failed: number; total: number }, c: { failed: number; total: number }): ErrorRateTest {
  const N = b.failed + c.failed;
  const pi0 = c.total / (b.total + c.total);
  const pWorse = N === 0 ? 1 : binomialUpperTail(c.failed, N, pi0);
  const pBetter = N === 0 ? 1 : binomialLowerTail(c.failed, N, pi0);
  const toRatio = (pi: number) => (pi >= 1 ? Infinity : (pi / (1 - pi)) * (b.total / c.total));
  const [lo, hi] = N === 0 ? [0, Infinity] : clopperPearson(c.failed, N, 1 - ALPHA);
  const baselineRate = b.failed / b.total;
  const candidateRate = c.failed / c.total;
  const logChange = b.failed > 0 && c.failed > 0 ? Math.log(candidateRate / baselineRate) : NaN;
  // 80%-power change of the log rate ratio, normal approximation with at least one failure on each side.
  const expected = Math.max(1, (b.failed + c.failed) / 2);
  const se = Math.sqrt(1 / expected + 1 / expected);
  return {
    logChange, se, df: Infinity, noise: 'exact', pWorse, pBetter,
    interval: [toRatio(lo), toRatio(hi)], mdeLog: mdeLogOf(se, Infinity),
    baselineRate, candidateRate, candidateUpper: clopperPearson(c.failed, c.total, 1 - ALPHA)[1],
    minPWorse: N === 0 ? 1 : pi0 ** N,
  };
}
