// The collector contract: a collector reads one source and returns samples; the sampler stamps, times and writes them.

import type { SampleRecord } from '../results/format.ts';

/** A sample as a collector returns it: the sampler adds `tMs`. */
export type CollectorSample = Omit<SampleRecord, 'tMs'>;

/** One source of server-side samples (prometheus, postgres, pgbouncer, redis, host, generator). */
export interface Collector {
  /** The `source` of its samples. */
  readonly name: string;
  /** Metrics it emits; a failed tick writes a gap (value null, error) for each of them. */
  readonly metrics: readonly string[];
  /**
   * Reads the source once. `signal` aborts when the tick's timeout expires; `tMs` is the tick's run-clock time
   * (ms since the run started, for rates). Throws (or rejects) on failure; the sampler writes gap samples.
   */
  sample(signal: AbortSignal, tMs: number): Promise<CollectorSample[]>;
  /** Metrics finish() emits (its gap list when it fails). */
  readonly finishMetrics?: readonly string[];
  /** Optional last reading when sampling stops (e.g. the run's top statements). */
  finish?(signal: AbortSignal): Promise<CollectorSample[]>;
  /** Releases connections and timers; never throws. */
  close(): Promise<void>;
}
