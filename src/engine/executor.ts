// What an executor model (src/engine/closed-model.ts, src/engine/open-model.ts) needs of the engine that hosts it:
// the VU pool, the counters, the run clock and the way to end. The engine owns intervals and the ending.

import type { Recorder } from './recorder.ts';
import type { ExecutionTuple } from './execution-segment.ts';
import type { Vu } from './vu.ts';

/** This engine's share of the load when sharded across worker threads. */
export interface Shard {
  index: number;
  count: number;
}

/** Number of this shard's members among the first `n` global items (items are dealt round-robin). */
export function shardCount(n: number, shard: Shard): number {
  return n <= shard.index ? 0 : Math.floor((n - shard.index - 1) / shard.count) + 1;
}

/** This engine's share of `n` items of the whole test: its execution segment's (k6's striping), then its worker's. */
export function localCount(n: number, host: { shard: Shard; segment?: ExecutionTuple }): number {
  return shardCount(host.segment ? host.segment.scale(n) : n, host.shard);
}

/** The engine as an executor model sees it. */
export interface ExecutorHost {
  readonly shard: Shard;
  /** This process's execution segment (--execution-segment), or undefined for the whole schedule. */
  readonly segment?: ExecutionTuple;
  readonly recorder: Recorder;
  /** Every VU created so far, by local index. */
  readonly vus: readonly Vu[];
  /** VUs running an iteration (open model) or taking part in the load (closed model). */
  readonly active: Set<Vu>;
  /** Creates the VU of a local index. */
  newVu(localIndex: number): Vu;
  /** True once the load is ending: start nothing new. */
  ending(): boolean;
  /** ms since the load started. */
  loadMs(): number;
  /** performance.now() of the load start, for intended start times. */
  loadStartPerf(): number;
  /** An iteration started, or one was dropped for want of a VU. */
  countStarted(): void;
  countDropped(): void;
  /** (Re)arms the model's one control timer. */
  schedule(fn: () => void, ms: number): void;
  /** Ends the load: running iterations get graceMs. */
  end(graceMs: number): void;
  /** Resolves the run once nothing runs any more (when ending). */
  checkFinished(): void;
}

/** One executor model: which VUs exist before the load, how the load starts, what it releases at the end. */
export interface Executor {
  /** VUs this shard creates (and connects) before the load starts. */
  preparedVUs(): number;
  /** Starts the load. */
  start(): void;
  /** The load is ending: stop what only the model holds (VUs ramping down). */
  onEnd(): void;
}
