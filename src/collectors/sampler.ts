// The sampler: every interval, runs each collector concurrently under a timeout shorter than the interval, stamps
// the samples with the run clock and writes them. A failed collector writes gap samples and is retried next tick;
// nothing here ever throws into the run.

import type { SampleRecord } from '../results/format.ts';
import type { Collector, CollectorSample } from './types.ts';
import { errorMessage } from './redact.ts';

/** Options of createSampler. */
export interface SamplerOptions {
  collectors: Collector[];
  /** Tick interval; 1000 by default. */
  intervalMs?: number;
  /** Per-collector timeout; 80% of the interval by default, always below it. */
  timeoutMs?: number;
  /** Timeout of the collectors' final readings at stop(); 5000 by default. */
  finishTimeoutMs?: number;
  /** ms since the run started, shared with the engine. */
  clock: () => number;
  /** Receives every sample, in tick order. Errors it throws are counted, never propagated. */
  write: (s: SampleRecord) => void;
}

/** Counters of what the sampler did, for logs and tests. */
export interface SamplerStats {
  ticks: number;
  samples: number;
  gaps: number;
  /** Ticks skipped for a collector because its previous sample had not settled yet. */
  overruns: number;
  writeErrors: number;
  /** Per collector: samples written, gaps (failed readings; a flagged null such as "maxmemory not set" is a sample), last error. */
  collectors: Record<string, { samples: number; gaps: number; lastError?: string }>;
}

/** A running sampler. */
export interface Sampler {
  /** Takes the first reading at once (the counters' baseline), then one every interval. */
  start(): void;
  /** Stops ticking, waits for the tick in flight, takes the collectors' final readings and closes them. */
  stop(): Promise<void>;
  stats(): SamplerStats;
}

/** Where samples go, and the counts of what went: a write that throws is counted, never propagated. */
class SampleSink {
  constructor(
    private readonly out: (s: SampleRecord) => void,
    readonly stats: SamplerStats,
  ) {}

  /** Writes one sample of a collector, stamped tMs; a gap counts as a gap. */
  write(c: Collector, s: CollectorSample, tMs: number, isGap = false): void {
    try {
      this.out({ tMs, ...s });
    } catch {
      this.stats.writeErrors++;
      return;
    }
    const cs = this.stats.collectors[c.name];
    if (isGap) {
      this.stats.gaps++;
      cs.gaps++;
    } else {
      this.stats.samples++;
      cs.samples++;
    }
  }

  /** One gap sample per metric, carrying the (redacted) error. */
  gap(c: Collector, tMs: number, err: unknown, metrics: readonly string[]): void {
    const message = errorMessage(err);
    this.stats.collectors[c.name].lastError = message;
    for (const metric of metrics) this.write(c, { source: c.name, metric, value: null, error: message }, tMs, true);
  }
}

/** A collector's promise, or its rejection after limitMs (the signal is aborted then). */
async function withTimeout<T>(work: Promise<T>, limitMs: number, ac: AbortController): Promise<T> {
  let timeout: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timeout = setTimeout(() => {
          ac.abort();
          reject(new Error(`timed out after ${limitMs} ms`));
        }, limitMs);
      }),
    ]);
  } finally {
    clearTimeout(timeout);
  }
}

/**
 * Runs one reading of a collector under limitMs and writes its samples, or gap samples when it fails. A collector
 * whose previous reading has not settled (a driver that ignores the signal) is not called again: an overrun gap.
 */
async function runCollector(
  sink: SampleSink,
  busy: Set<Collector>,
  c: Collector,
  tMs: number,
  limitMs: number,
  gapMetrics: readonly string[],
  call: (signal: AbortSignal) => Promise<CollectorSample[]> | undefined,
): Promise<void> {
  if (busy.has(c)) {
    sink.stats.overruns++;
    sink.gap(c, tMs, new Error('previous sample still running'), gapMetrics);
    return;
  }
  const ac = new AbortController();
  busy.add(c);
  let work: Promise<CollectorSample[]>;
  try {
    work = Promise.resolve(call(ac.signal) ?? []);
  } catch (err) {
    work = Promise.reject(err);
  }
  // The collector's promise may outlive the timeout: keep it marked busy until it settles.
  void work.then(() => undefined, () => undefined).finally(() => busy.delete(c));
  try {
    for (const s of await withTimeout(work, limitMs, ac)) sink.write(c, s, tMs);
  } catch (err) {
    sink.gap(c, tMs, err, gapMetrics);
  }
}

/** Creates a sampler over the given collectors. */
export function createSampler(opts: SamplerOptions): Sampler {
  // start ─► tick (every intervalMs, drift-free) ─► each collector: runCollector (sample under timeout) ─► stamp ─► write
  //                                                 └► failure: one gap sample per metric ─► write
  // stop ─► wait for the tick in flight ─► finish() (final readings) ─► close()
  const intervalMs = opts.intervalMs ?? 1000;
  if (!(intervalMs > 0)) throw new RangeError('intervalMs must be positive');
  const timeoutMs = Math.min(opts.timeoutMs ?? Math.max(1, Math.floor(intervalMs * 0.8)), Math.max(1, intervalMs - 1));
  const finishTimeoutMs = opts.finishTimeoutMs ?? 5000;
  const sink = new SampleSink(opts.write, { ticks: 0, samples: 0, gaps: 0, overruns: 0, writeErrors: 0, collectors: {} });
  for (const c of opts.collectors) sink.stats.collectors[c.name] = { samples: 0, gaps: 0 };
  const busy = new Set<Collector>();
  const state = { running: false, started: false, stopped: false, startedAt: 0, tickNo: 0 };
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const tick = (): void => {
    if (state.running) return;
    state.running = true;
    inFlight = (async () => {
      const tMs = opts.clock();
      sink.stats.ticks++;
      await Promise.all(opts.collectors.map((c) => runCollector(sink, busy, c, tMs, timeoutMs, c.metrics, (signal) => c.sample(signal, tMs))));
    })().finally(() => {
      state.running = false;
    });
  };
  const schedule = (): void => {
    if (state.stopped) return;
    const due = state.startedAt + ++state.tickNo * intervalMs;
    (timer = setTimeout(() => {
      if (state.stopped) return;
      tick();
      schedule();
    }, Math.max(0, due - performance.now()))).unref();
  };

  return {
    start() {
      if (state.started) return;
      state.started = true;
      state.startedAt = performance.now();
      tick();
      schedule();
    },
    async stop() {
      if (state.stopped) return;
      state.stopped = true;
      clearTimeout(timer);
      await inFlight.catch(() => undefined);
      if (state.started) {
        const tMs = opts.clock();
        await Promise.all(opts.collectors.filter((c) => c.finish).map((c) => runCollector(sink, busy, c, tMs, finishTimeoutMs, c.finishMetrics ?? [], (signal) => c.finish?.(signal))));
      }
      await Promise.all(opts.collectors.map((c) => c.close().catch(() => undefined)));
    },
    stats() {
      return structuredClone(sink.stats);
    },
  };
}
