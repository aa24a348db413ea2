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

/** Creates a sampler over the given collectors. */
export function createSampler(opts: SamplerOptions): Sampler {
  // start ─► tick (every intervalMs, drift-free) ─► each collector: sample under timeout ─► stamp ─► write
  //                                                 └► failure: one gap sample per metric ─► write
  // stop ─► wait for the tick in flight ─► finish() (final readings) ─► close()
  const intervalMs = opts.intervalMs ?? 1000;
  if (!(intervalMs > 0)) throw new RangeError('intervalMs must be positive');
  const timeoutMs = Math.min(opts.timeoutMs ?? Math.max(1, Math.floor(intervalMs * 0.8)), Math.max(1, intervalMs - 1));
  const finishTimeoutMs = opts.finishTimeoutMs ?? 5000;
  const stats: SamplerStats = { ticks: 0, samples: 0, gaps: 0, overruns: 0, writeErrors: 0, collectors: {} };
  for (const c of opts.collectors) stats.collectors[c.name] = { samples: 0, gaps: 0 };
  const busy = new Set<Collector>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let started = false;
  let stopped = false;
  let startedAt = 0;
  let tickNo = 0;
  let inFlight: Promise<void> = Promise.resolve();

  const write = (c: Collector, s: CollectorSample, tMs: number, isGap = false): void => {
    const rec: SampleRecord = { tMs, ...s };
    try {
      opts.write(rec);
    } catch {
      stats.writeErrors++;
      return;
    }
    const cs = stats.collectors[c.name];
    if (isGap) {
      stats.gaps++;
      cs.gaps++;
    } else {
      stats.samples++;
      cs.samples++;
    }
  };

  const gap = (c: Collector, tMs: number, err: unknown, metrics: readonly string[]): void => {
    const message = errorMessage(err);
    stats.collectors[c.name].lastError = message;
    for (const metric of metrics) write(c, { source: c.name, metric, value: null, error: message }, tMs, true);
  };

  const runOne = async (
    c: Collector,
    tMs: number,
    limitMs: number,
    gapMetrics: readonly string[],
    call: (signal: AbortSignal) => Promise<CollectorSample[]> | undefined,
  ): Promise<void> => {
    if (busy.has(c)) {
      stats.overruns++;
      gap(c, tMs, new Error('previous sample still running'), gapMetrics);
      return;
    }
    const ac = new AbortController();
    let timeout: NodeJS.Timeout | undefined;
    busy.add(c);
    let work: Promise<CollectorSample[]>;
    try {
      work = Promise.resolve(call(ac.signal) ?? []);
    } catch (err) {
      work = Promise.reject(err);
    }
    // The collector's promise may outlive the timeout (a driver that ignores the signal): keep it marked busy.
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    void settled.finally(() => busy.delete(c));
    try {
      const samples = await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => {
            ac.abort();
            reject(new Error(`timed out after ${limitMs} ms`));
          }, limitMs);
        }),
      ]);
      for (const s of samples) write(c, s, tMs);
    } catch (err) {
      gap(c, tMs, err, gapMetrics);
    } finally {
      clearTimeout(timeout);
    }
  };

  const tick = async (): Promise<void> => {
    const tMs = opts.clock();
    stats.ticks++;
    await Promise.all(opts.collectors.map((c) => runOne(c, tMs, timeoutMs, c.metrics, (signal) => c.sample(signal, tMs))));
  };

  const schedule = (): void => {
    if (stopped) return;
    tickNo++;
    const due = startedAt + tickNo * intervalMs;
    timer = setTimeout(() => {
      if (stopped) return;
      if (!running) {
        running = true;
        inFlight = tick().finally(() => {
          running = false;
        });
      }
      schedule();
    }, Math.max(0, due - performance.now()));
    timer.unref();
  };

  return {
    start() {
      if (started) return;
      started = true;
      startedAt = performance.now();
      running = true;
      inFlight = tick().finally(() => {
        running = false;
      });
      schedule();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await inFlight.catch(() => undefined);
      if (started) {
        const tMs = opts.clock();
        await Promise.all(opts.collectors.filter((c) => c.finish).map((c) => runOne(c, tMs, finishTimeoutMs, c.finishMetrics ?? [], (signal) => c.finish?.(signal))));
      }
      await Promise.all(opts.collectors.map((c) => c.close().catch(() => undefined)));
    },
    stats() {
      return structuredClone(stats);
    },
  };
}
