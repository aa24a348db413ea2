// The hooks the rest of perfgate plugs into a run (collectors, live thresholds, the verdict, the report).

import type { AbortedBy, IntervalRecord, RunData, RunJson, SampleRecord, SummaryJson } from '../results/format.ts';

/** What beforeLoad and afterLoad receive. */
export interface RunContext {
  runDir: string;
  /** run.json as written at the start (status `running`). */
  run: RunJson;
  /** ms since the run clock's origin; intervals and samples share it. */
  clock: () => number;
  /** Aborted when the run stops (end of load, interruption or abort). */
  signal: AbortSignal;
  /** Streams a sample into samples.ndjson (and emits it as a `sample` event). */
  writeSample: (record: SampleRecord) => void;
}

/** What finalize receives: the final run.json (status and statusReason set) and the run directory, read once. */
export interface FinalizeContext {
  runDir: string;
  run: RunJson;
  /** The run directory's records as read after the load (summary.json and verdict.json not written yet). */
  data: RunData;
}

/** Hooks of runScenario; each is optional. */
export interface RunHooks {
  /** Before the load starts (after setup): start collectors here. */
  beforeLoad?(ctx: RunContext): void | Promise<void>;
  /** The moment the load starts is fixed (ms on the run clock, on the interval grid): fault times count from it. */
  onLoadStart?(loadStartMs: number): void;
  /** Every closed interval (merged across workers); returning {abort} stops the load gracefully (status aborted, run.abortedBy = by). */
  onInterval?(records: IntervalRecord[]): void | { abort: string; by?: AbortedBy };
  /** After the load stopped, before summary.json is written: stop collectors here. */
  afterLoad?(ctx: RunContext): void | Promise<void>;
  /** After run.json is final: write the verdict and report; may set the exit code. A summary it returns is one it wrote. */
  finalize?(ctx: FinalizeContext): Promise<{ exitCode?: number; summary?: SummaryJson } | void>;
}
