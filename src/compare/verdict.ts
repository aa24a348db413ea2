// From tests to verdicts: Benjamini–Hochberg over the comparison set, the practical minimum effect, and for an
// inconclusive comparison what would decide it; latency regressions made inconclusive by a machine guard. Pure.

import { ALPHA, mdeLogOf } from './judge.ts';
import type { Comparison, CompareVerdict, Direction } from './types.ts';

/** An error rate that rises by less than this (absolute, 0.1 percentage point) does not fail the gate. */
export const ERROR_RATE_FLOOR = 0.001;

/** The interval of "how much worse" (> 1 is worse) from a ratio interval. */
export function worseInterval(interval: [number, number], direction: Direction): [number, number] {
  return direction === 'higher-is-worse' ? interval : [1 / interval[1], 1 / interval[0]];
}

/** The verdict of a continuous comparison from its adjusted p-values and interval, and whether it fails the gate. */
export function decide(input: { pWorseAdj: number; pBetterAdj: number; worse: [number, number]; minEffect: number }): { verdict: CompareVerdict; gated: boolean } {
  const m = 1 + input.minEffect;
  if (input.pWorseAdj <= ALPHA) return { verdict: 'regressed', gated: input.worse[1] >= m };
  if (input.pBetterAdj <= ALPHA) return { verdict: 'improved', gated: false };
  if (input.worse[0] > 1 / m && input.worse[1] < m) return { verdict: 'unchanged', gated: false };
  return { verdict: 'inconclusive', gated: false };
}

/** The verdict of an error-rate comparison: as decide, with the absolute floor on both the gate and "unchanged". */
export function decideErrorRate(input: { pWorseAdj: number; pBetterAdj: number; worse: [number, number]; minEffect: number; baselineRate: number; candidateRate: number; candidateUpper: number }): { verdict: CompareVerdict; gated: boolean } {
  const m = 1 + input.minEffect;
  const rise = input.candidateRate - input.baselineRate;
  if (input.pWorseAdj <= ALPHA) return { verdict: 'regressed', gated: input.worse[1] >= m && rise >= ERROR_RATE_FLOOR };
  if (input.pBetterAdj <= ALPHA) return { verdict: 'improved', gated: false };
  const negligible = input.candidateUpper <= input.baselineRate + ERROR_RATE_FLOOR;
  if (negligible || (input.worse[0] > 1 / m && input.worse[1] < m)) return { verdict: 'unchanged', gated: false };
  return { verdict: 'inconclusive', gated: false };
}

const pct = (x: number) => `${Number((x * 100).toPrecision(2))}%`;

/**
 * What would decide an inconclusive continuous comparison with k baselines: the baseline count (up to 20) or the
 * run length (up to 10x) at which the minimum detectable effect falls to the minimum effect (with `priorDf`, the prior
 * degrees of freedom of the moderated spread, added to each k - 1). `runSd` is the spread
 * of one run's log value, `withinVar` the part of its variance that a longer run divides (null when unknown).
 */
export function adviceFor(input: { k: number; priorDf?: number; runSd: number; withinVar: number | null; minEffect: number; mdeLog: number; level: number }): string {
  const target = Math.log(1 + input.minEffect);
  const can = `could detect ${pct(Math.exp(input.mdeLog) - 1)}, the minimum is ${pct(input.minEffect)}`;
  const ks = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20].filter((k) => k > input.k);
  const mdeAt = (k: number, sd: number) => mdeLogOf(sd * Math.sqrt(1 + 1 / k), k - 1 + (input.priorDf ?? 0), input.level);
  const moreBaselines = ks.find((k) => mdeAt(k, input.runSd) <= target);
  let longer: number | undefined;
  if (input.withinVar !== null) {
    const tau2 = Math.max(0, input.runSd ** 2 - input.withinVar);
    const k = Math.max(2, input.k);
    longer = [1.5, 2, 3, 4, 6, 8, 10].find((f) => mdeAt(k, Math.sqrt(tau2 + input.withinVar! / f)) <= target);
  }
  const ways = [
    ...(moreBaselines !== undefined ? [`${moreBaselines} baseline runs`] : []),
    ...(longer !== undefined ? [`runs ${longer}x as long${input.k < 2 ? ' with 2 baselines' : ''}`] : []),
  ];
  if (ways.length) return `inconclusive: ${can}; ${ways.join(' or ')} would decide it`;
  return `inconclusive: ${can}; the run-to-run spread (${pct(input.runSd)} per run) is too large for it: quieter runs or a larger minimum effect would decide it`;
}

/** Latency regressions (statistics in ms) as inconclusive, with the note `why` gives each; the rest as they are. */
export function downgradeLatencyRegressions(comparisons: readonly Comparison[], why: (c: Comparison) => string): Comparison[] {
  return comparisons.map((c) => (c.verdict === 'regressed' && c.unit === 'ms' ? { ...c, verdict: 'inconclusive', gated: false, note: why(c) } : c));
}
