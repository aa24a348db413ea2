// The shapes of the regression gate: run-level measurements, comparisons and compare.json (format 1).

import type { IntervalSeries } from './bootstrap.ts';

/** Which way a metric gets worse. */
export type Direction = 'higher-is-worse' | 'lower-is-worse';

/** The four verdicts of a comparison. */
export type CompareVerdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive';

/** One run-level statistic of one run, e.g. p(95) of http_req_duration{name:company}. */
export interface Measurement {
  /** Unique key: `<metric>{name:<name>} <stat>` or `<metric> <stat>` for the whole run. */
  key: string;
  metric: string;
  /** The request name, or undefined for the whole run (and for server metrics). */
  name?: string;
  /** The statistic: p(50), p(95), p(99), rate, avg, value. */
  stat: string;
  unit: string;
  direction: Direction;
  kind: 'percentile' | 'throughput' | 'error-rate' | 'gauge';
  /** The run-level value, or null when the run holds no data for it. */
  value: number | null;
  /** Observations behind the value (requests, or samples for gauges). */
  n: number;
  /** For a percentile: the quantile in (0, 1), to check the samples beyond it. */
  quantile?: number;
  /** For an error rate: failed requests out of all. */
  failed?: number;
  /** The per-interval data of the within-run bootstrap, built on demand. */
  series?: () => IntervalSeries | null;
}

/** Where the error term of a comparison came from. */
export type NoiseSource = 'baselines' | 'learnt' | 'default' | 'exact';

/** One comparison: a statistic of the candidate judged against the same statistic of the baselines. */
export interface Comparison {
  key: string;
  metric: string;
  name?: string;
  stat: string;
  unit: string;
  direction: Direction;
  /** Baseline run-level values (newest first) and their centre (geometric mean; pooled rate for error rates). */
  baseline: { values: Array<number | null>; center: number | null };
  candidate: number | null;
  /** Candidate / baseline centre, with its 90% interval (each bound one-sided 95%); null when not estimable. */
  ratio: number | null;
  interval: [number, number] | null;
  /** One-sided p-values of "worse" and "better", and the first after Benjamini–Hochberg over the comparison set. */
  pWorse: number | null;
  pBetter: number | null;
  pWorseAdjusted: number | null;
  pBetterAdjusted: number | null;
  /** The smallest change (ratio - 1, e.g. 0.07 for 7%) this comparison detects with 80% power; null when unknown. */
  minDetectableEffect: number | null;
  /** The practical minimum this comparison is gated on (ratio - 1). */
  minEffect: number;
  noise: NoiseSource;
  verdict: CompareVerdict;
  /** True when this comparison fails the gate. */
  gated: boolean;
  /** Why the verdict is what it is, in one sentence; for inconclusive, what would decide it. */
  note: string;
  /**
   * A request name's latency statistic against the other names of the same run (src/compare/peer-contrast.ts): the
   * candidate's ratio to its peers over the baselines' ratio, its 90% interval, and the adjusted p of "worse".
   */
  peers?: { ratio: number; interval: [number, number]; pWorseAdjusted: number; names: number };
}

/** A run as compare.json names it. */
export interface RunRef {
  dir: string;
  id: string;
  scenario: string;
  profile: string;
  startedAt: string;
  gitSha?: string;
  gitBranch?: string;
}

/** compare.json. */
export interface CompareJson {
  format: 1;
  verdict: CompareVerdict;
  exitCode: number;
  /** One sentence: what the gate decided and why. */
  reason: string;
  candidate: RunRef;
  baselines: RunRef[];
  method: {
    mode: 'prediction-interval' | 'widened-within-run';
    alpha: number;
    fdr: 'benjamini-krieger-yekutieli';
    minEffect: number;
    failOnInconclusive: boolean;
    seed: number;
    bootstrapReplicates: number;
    /** With one baseline: the run-to-run spread used (log scale), and where it came from. */
    runToRunSpread?: { source: 'learnt' | 'default'; value?: number; runs?: number };
    /**
     * With k >= 2 and a statistic over 3 or more request names: the prior of the moderated variances (Smyth 2004) of
     * the largest family, fitted to the spreads of its `statistics` members: its degrees of freedom d0 (null:
     * infinite, every spread shrunk to the prior) and its spread s0 (log scale).
     */
    moderation?: { priorDf: number | null; priorSpread: number; statistics: number };
    /**
     * Lab runs: the share of the machine's CPU that other processes used, in the candidate and each baseline; `busier`
     * when the candidate's exceeds every baseline's by more than 10 points (its latency regressions are then inconclusive).
     */
    neighbourCpu?: { candidate: number; baselines: Array<number | null>; busier: boolean };
    /**
     * With k >= 2 baselines that know it: the load generator's CPU per request (µs), the candidate's over the
     * baselines' geometric mean, and the 99% prediction bound; `slower` when the ratio exceeds the bound (the machine
     * ran slower, and the candidate's latency regressions are then inconclusive).
     */
    machineSpeed?: { candidateUsPerRequest: number; baselinesUsPerRequest: Array<number | null>; ratio: number; boundRatio: number; slower: boolean };
  };
  comparisons: Comparison[];
}
