// The machine's other load during each run: the share of its CPU used by processes that are neither the service
// under test (the lab's process groups) nor perfgate. A slower candidate on a machine that was busier than during
// every baseline says nothing of the code: its regressions of latency become inconclusive. Pure.
//
//   neighbour share = mean(host_cpu_utilization) - mean(service_cpu_utilization{basis:lab-processes}) - mean(generator_cpu) / cores
//
// Only lab runs know the service's processes; a run without them has no figure, and nothing is downgraded.

import type { SampleRecord } from '../results/format.ts';
import type { Comparison } from './types.ts';
import { downgradeLatencyRegressions } from './verdict.ts';

/** A candidate busier than its busiest baseline by more than this share of the machine's CPU is not compared on latency. */
export const NEIGHBOUR_MARGIN = 0.1;

const meanOf = (xs: readonly number[]): number | undefined => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The run's mean share of the machine's CPU used by other processes, or undefined without the lab's figures. */
export function neighbourShare(samples: readonly SampleRecord[], cores: number | undefined): number | undefined {
  if (!cores || cores <= 0) return undefined;
  const values = (metric: string, basis?: string) =>
    samples.filter((s) => s.metric === metric && typeof s.value === 'number' && (basis === undefined || s.labels?.basis === basis)).map((s) => s.value as number);
  const host = meanOf(values('host_cpu_utilization'));
  const service = meanOf(values('service_cpu_utilization', 'lab-processes'));
  const generator = meanOf(values('generator_cpu'));
  if (host === undefined || service === undefined || generator === undefined) return undefined;
  return Math.max(0, host - service - generator / cores);
}

/** What compare.json says of the machine's other load. */
export interface NeighbourLoad {
  /** The candidate's neighbour share, and each baseline's (null where unknown). */
  candidate: number;
  baselines: Array<number | null>;
  /** The candidate ran on a machine busier than every baseline by more than NEIGHBOUR_MARGIN. */
  busier: boolean;
}

/** The neighbour load of a comparison, or undefined when the candidate or every baseline lacks the figure. */
export function neighbourLoad(candidate: number | undefined, baselines: ReadonlyArray<number | undefined>): NeighbourLoad | undefined {
  const known = baselines.filter((b): b is number => b !== undefined);
  if (candidate === undefined || known.length === 0) return undefined;
  return { candidate, baselines: baselines.map((b) => b ?? null), busier: candidate > Math.max(...known) + NEIGHBOUR_MARGIN };
}

/**
 * A busier candidate's latency regressions (statistics in ms), as inconclusive with the reason: the change may be
 * the neighbours', not the code's. Other comparisons, and every comparison of a candidate that was not busier, are
 * returned as they are.
 */
export function discountBusyMachine(comparisons: readonly Comparison[], load: NeighbourLoad | undefined): Comparison[] {
  if (!load?.busier) return [...comparisons];
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const known = load.baselines.filter((b): b is number => b !== null);
  const range = Math.min(...known) === Math.max(...known) ? pct(known[0]!) : `${pct(Math.min(...known))}–${pct(Math.max(...known))}`;
  return downgradeLatencyRegressions(
    comparisons,
    (c) => `inconclusive: slower by ${pct((c.ratio ?? 1) - 1)}, but the machine was busier: other processes used ${pct(load.candidate)} of its CPU during the candidate, ${range} during the baselines; run it again on a quiet machine`,
  );
}
