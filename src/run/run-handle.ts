// A run is an event emitter and a promise: `start`, `tick`, `sample`, `error`, `done` events, and `await handle`.

import { EventEmitter } from 'node:events';
import type { IntervalRecord, RunJson, SampleRecord, SummaryJson } from '../results/format.ts';

/** How a run ended. */
export interface RunOutcome {
  runDir: string;
  run: RunJson;
  summary: SummaryJson;
  exitCode: number;
}

/** Events of a run. */
export interface RunEvents {
  start: [{ runDir: string; run: RunJson }];
  tick: [IntervalRecord[]];
  sample: [SampleRecord];
  error: [Error];
  done: [RunOutcome];
}

/** A running scenario: listen to its events, await its outcome. `error` events are warnings; failure rejects. */
export class RunHandle extends EventEmitter<RunEvents> implements PromiseLike<RunOutcome> {
  readonly promise: Promise<RunOutcome>;

  constructor(body: (handle: RunHandle) => Promise<RunOutcome>) {
    super();
    // Start on the next tick so listeners attached right after runScenario() see `start`.
    this.promise = new Promise<void>((r) => setImmediate(r)).then(() => body(this));
    this.promise.then(
      (o) => this.emit('done', o),
      () => {},
    );
  }

  /** Awaits the outcome. */
  then<T1 = RunOutcome, T2 = never>(
    onfulfilled?: ((value: RunOutcome) => T1 | PromiseLike<T1>) | null,
    onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.promise.then(onfulfilled, onrejected);
  }
}
