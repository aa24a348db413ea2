// Builds summary.json (k6's end-of-test summary shape) from a run's records. Owned by the SLO work; this first
// version is a placeholder with the agreed signature, to be replaced by the real aggregation.

import type { IntervalRecord, RunJson, SampleRecord, SummaryJson } from './format.ts';
import { FORMAT_VERSION } from './format.ts';

/** What buildSummary needs: the run's records, all in memory or streamed in by the caller. */
export interface SummaryInput {
  run: RunJson;
  intervals: IntervalRecord[];
  samples: SampleRecord[];
}

/** Builds summary.json from the run's records (client and server metrics, tagged sub-metrics). */
export function buildSummary(input: SummaryInput): SummaryJson {
  return {
    format: FORMAT_VERSION,
    state: { testRunDurationMs: input.run.durationMs ?? 0, status: input.run.status },
    metrics: {},
  };
}
