// The machine's speed during each run, read from work that does not depend on the service: the load generator's own
// CPU time per request. The same scenario asks the generator for the same work per request (build, send, parse,
// record), so when that costs it much more CPU in the candidate than in the baselines, the machine itself ran slower
// (a virtual machine's host busy, a lower clock), and every latency of the candidate is slower with it. Such a
// candidate's latency regressions say nothing of the code: they become inconclusive. Pure.
//
//   cost = sum over ticks of generator_cpu x interval / requests          (µs of generator CPU per request)
//   slower = ln(cost_candidate) > mean(ln cost_baselines) + t(0.99, k-1) x max(sd(ln cost_baselines), 0.05) x sqrt(1 + 1/k)
//
// a one-sided 99% prediction bound of the baselines' own costs, as the gate's other prediction intervals; with one
// baseline there is no spread to bound with, and nothing is downgraded.

import type { IntervalRecord } from '../results/format.ts';
import { tQuantile } from './distributions.ts';
import { mean, sampleSd } from './stats.ts';
import type { Comparison } from './types.ts';
import { downgradeLatencyRegressions } from './verdict.ts';

/** The one-sided level of the bound on the baselines' costs. */
export const MACHINE_SLOWER_LEVEL = 0.99;
/** The least log-scale spread the bound assumes (5%): baselines that agree closely still vary that much. */
export const MACHINE_SPREAD_FLOOR = 0.05;

/** The generator's CPU time per request of a run, in µs; undefined without ticks, requests or CPU figures (an imported run). */
export function generatorCostUsPerRequest(intervals: readonly IntervalRecord[]): number | undefined {
  let cpuUs = 0;
  let requests = 0;
  for (const r of intervals) {
    if (r.type === 'tick') cpuUs += (r.generatorCpu ?? 0) * r.intervalMs * 1000;
    else requests += r.count;
  }
  return requests > 0 && cpuUs > 0 ? cpuUs / requests : undefined;
}

/** What compare.json says of the machine's speed. */
export interface MachineSpeed {
  /** The generator's CPU per request in the candidate and each baseline (µs; null where unknown). */
  candidateUsPerRequest: number;
  baselinesUsPerRequest: Array<number | null>;
  /** The candidate's cost over the baselines' (geometric) mean, and the bound it was held to. */
  ratio: number;
  boundRatio: number;
  /** The candidate's cost is above the bound: the machine ran slower. */
  slower: boolean;
}

/** The machine's speed of a comparison, or undefined when the candidate or all but one baseline lack the figure. */
export function machineSpeed(candidate: number | undefined, baselines: ReadonlyArray<number | undefined>): MachineSpeed | undefined {
  const logs = baselines.filter((b): b is number => b !== undefined).map(Math.log);
  if (candidate === undefined || logs.length < 2) return undefined;
  const k = logs.length;
  const center = mean(logs);
  const bound = tQuantile(MACHINE_SLOWER_LEVEL, k - 1) * Math.max(sampleSd(logs), MACHINE_SPREAD_FLOOR) * Math.sqrt(1 + 1 / k);
  const ratio = Math.exp(Math.log(candidate) - center);
  return {
    candidateUsPerRequest: candidate,
    baselinesUsPerRequest: baselines.map((b) => b ?? null),
    ratio,
    boundRatio: Math.exp(bound),
    slower: Math.log(candidate) - center > bound,
  };
}

/** A candidate on a slower machine: its latency regressions as inconclusive, with the reason. Otherwise as they are. */
export function discountSlowMachine(comparisons: readonly Comparison[], speed: MachineSpeed | undefined): Comparison[] {
  if (!speed?.slower) return [...comparisons];
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return downgradeLatencyRegressions(
    comparisons,
    (c) => `inconclusive: slower by ${pct((c.ratio ?? 1) - 1)}, but the machine ran slower too: the load generator needed ${speed.ratio.toFixed(2)}x the CPU per request of the baselines (${Math.round(speed.candidateUsPerRequest)} µs against at most ${speed.boundRatio.toFixed(2)}x their mean); run it again when the machine is steady`,
  );
}
