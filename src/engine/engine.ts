// One engine on one thread: runs the scenario's executor model over VUs (closed: src/engine/closed-model.ts; open:
// src/engine/open-model.ts; iteration counts: src/engine/iterations-model.ts), closes an interval every second on the run clock, and stops gracefully
// (gracefulStop / gracefulRampDown) or at once.

import { performance } from 'node:perf_hooks';
import type { IntervalRecord } from '../results/format.ts';
import type { LoadOptions, ScenarioDefinition } from '../scenario/types.ts';
import type { TemplateVars } from '../scenario/template.ts';
import { isIterationsModel, isOpenModel, phaseAt, rateAt } from '../scenario/stages.ts';
import { parseDurationMs } from '../scenario/duration.ts';
import { Recorder } from './recorder.ts';
import { connectTargetOf, TimeoutSweeper } from './http-connection.ts';
import { GeneratorHealth } from './generator-health.ts';
import { seededRandom } from './random.ts';
import { settleHeap } from './settle-heap.ts';
import { Vu, type StepRunner, type VuShared } from './vu.ts';
import type { CompiledPlan } from './plan.ts';
import type { ResolvedTarget } from './host-guard.ts';
import { ClosedModel } from './closed-model.ts';
import { OpenModel } from './open-model.ts';
import { IterationsModel } from './iterations-model.ts';
import type { Executor, ExecutorHost, Shard } from './executor.ts';
import { ExecutionTuple } from './execution-segment.ts';

/** An execution segment as flags (serialisable: it crosses into worker threads). */
export interface SegmentFlags {
  segment?: string;
  sequence?: string;
}

export { shardCount, type Shard } from './executor.ts';

/** k6's default gracefulStop and gracefulRampDown. */
export const DEFAULT_GRACEFUL_MS = 30_000;

/** Everything one engine needs. */
export interface EngineOptions {
  def: ScenarioDefinition;
  plan: CompiledPlan;
  target: ResolvedTarget;
  globals: TemplateVars;
  feed?: (vuId: number, iteration: number) => Record<string, unknown>;
  runners?: Record<string, StepRunner>;
  /** Hosts besides loopback that redirects may lead to (--allow-host, target.allowHosts). */
  allowHosts?: readonly string[];
  /** The run clock's origin (epoch ms, sub-ms precision): interval boundaries are multiples of intervalMs from it. */
  t0EpochMs: number;
  shard?: Shard;
  /** This process's execution segment and its sequence, as k6 writes them (`1/3:2/3`, `0,1/3,2/3,1`). */
  segment?: SegmentFlags;
  seed?: number;
  intervalMs?: number;
  /** The `scenario` tag of this engine's request records (a run of a `scenarios` map); absent for the single `load`. */
  scenario?: string;
  /** When this engine's executor starts, ms after the load's start (its scenario's `startTime`); intervals run from the load's start. */
  startOffsetMs?: number;
  /** Added to every VU number (`__VU`), so the parts of a `scenarios` map number their VUs apart, as k6 does. */
  vuIdOffset?: number;
  onRecords: (records: IntervalRecord[]) => void;
  onError?: (err: Error) => void;
}

/** How an engine's load ended. */
export interface EngineResult {
  /** Loop-lag p99 over the run, ms. */
  loopLagP99Ms: number;
  /** Iterations started and dropped (open model). */
  started: number;
  dropped: number;
}

/** Connections opened at once while preparing, and how long preparing may wait for them. */
const PRECONNECT_CONCURRENCY = 256;
const PRECONNECT_TIMEOUT_MS = 5_000;

/** One thread's engine. */
export class Engine {
  private readonly o: EngineOptions;
  private readonly load: LoadOptions;
  private readonly shard: Shard;
  private readonly segment: ExecutionTuple | undefined;
  private readonly recorder: Recorder;
  private readonly sweeper = new TimeoutSweeper();
  private readonly health = new GeneratorHealth();
  private readonly shared: VuShared;
  private readonly intervalMs: number;
  /** performance.now() of the run clock's origin in this thread. */
  private readonly t0Perf: number;
  private readonly gracefulStopMs: number;
  private readonly executor: Executor;
  private readonly vus: Vu[] = [];
  private readonly active = new Set<Vu>();
  private ending = false;
  private finished = false;
  private started = 0;
  private dropped = 0;
  private timers: NodeJS.Timeout[] = [];
  private intervalTimer: NodeJS.Timeout | undefined;
  private nextIntervalIndex = 0;
  private resolveDone: (() => void) | undefined;
  /** When this engine's executor starts, ms on the run clock (stage math is relative to it). */
  private loadStartMs = 0;
  private readonly startOffsetMs: number;

  constructor(opts: EngineOptions) {
    this.o = opts;
    if (!opts.def.load) throw new Error('an engine runs one executor: give it the definition of one scenario part');
    this.load = opts.def.load;
    this.startOffsetMs = opts.startOffsetMs ?? 0;
    this.shard = opts.shard ?? { index: 0, count: 1 };
    this.segment = opts.segment ? ExecutionTuple.fromFlags(opts.segment.segment, opts.segment.sequence) : undefined;
    this.intervalMs = opts.intervalMs ?? 1000;
    const tags = this.load.tags && Object.keys(this.load.tags).length > 0 ? this.load.tags : undefined;
    this.recorder = new Recorder(this.intervalMs, opts.scenario, tags);
    this.t0Perf = opts.t0EpochMs - performance.timeOrigin;
    const load = this.load;
    this.gracefulStopMs = load.gracefulStop ? parseDurationMs(load.gracefulStop, 'load.gracefulStop') : DEFAULT_GRACEFUL_MS;
    const rampDown = 'gracefulRampDown' in load && load.gracefulRampDown;
    const gracefulRampDownMs = rampDown ? parseDurationMs(rampDown, 'load.gracefulRampDown') : DEFAULT_GRACEFUL_MS;
    this.executor = isOpenModel(load)
      ? new OpenModel(this.host(), load, this.gracefulStopMs)
      : isIterationsModel(load)
        ? new IterationsModel(this.host(), load, this.gracefulStopMs)
        : new ClosedModel(this.host(), load, this.gracefulStopMs, gracefulRampDownMs);
    this.shared = {
      plan: opts.plan,
      recorder: this.recorder,
      target: connectTargetOf(opts.target, opts.def.insecureSkipTLSVerify, opts.def.tlsCa),
      redirects: {
        origin: opts.target.origin,
        insecureSkipTLSVerify: opts.def.insecureSkipTLSVerify ?? false,
        tlsCa: opts.def.tlsCa,
        allowHosts: opts.allowHosts ?? [],
        cleared: new Map(),
        sweeper: this.sweeper,
      },
      globals: opts.globals,
      feed: opts.feed,
      runners: opts.runners ?? {},
      onError: opts.onError ?? (() => {}),
      ...(opts.def.cookies === false ? {} : { cookies: { reset: opts.def.noCookiesReset !== true, https: opts.target.origin.startsWith('https:') } }),
    };
  }

  /** The engine as its executor model sees it. */
  private host(): ExecutorHost {
    return {
      shard: this.shard,
      segment: this.segment,
      recorder: this.recorder,
      vus: this.vus,
      active: this.active,
      newVu: (i) => this.newVu(i),
      ending: () => this.ending,
      loadMs: () => this.loadMs(),
      loadStartPerf: () => this.t0Perf + this.loadStartMs,
      countStarted: () => void this.started++,
      countDropped: () => void this.dropped++,
      schedule: (fn, ms) => void (this.timers[0] = setTimeout(fn, ms)),
      end: (graceMs) => this.end(graceMs),
      checkFinished: () => this.checkFinished(),
    };
  }

  /** ms on the run clock. */
  now(): number {
    return performance.now() - this.t0Perf;
  }

  private loadMs(): number {
    return this.now() - this.loadStartMs;
  }

  /**
   * Creates the VUs the load starts with (open model: preAllocatedVUs; closed model: the VUs at time 0), opens
   * their connections and collects start-up garbage, so the first scheduled requests go out on time instead of
   * queueing behind TCP handshakes and garbage collection.
   */
  async prepare(): Promise<void> {
    const count = this.executor.preparedVUs();
    for (let i = this.vus.length; i < count; i++) this.newVu(i);
    if (this.o.plan.journeys.some((j) => j.steps.some((s) => s.kind === 'http'))) {
      const deadline = performance.now() + PRECONNECT_TIMEOUT_MS;
      for (let i = 0; i < count && performance.now() < deadline; i += PRECONNECT_CONCURRENCY) {
        const batch = this.vus.slice(i, i + PRECONNECT_CONCURRENCY);
        await Promise.all(batch.map((vu) => vu.conn.preconnect(Math.max(1, deadline - performance.now()))));
      }
    }
    settleHeap();
  }

  /**
   * Runs the load from loadStartMs (run clock; default now) to its end or a stop; resolves once the last interval is
   * flushed. The first interval is the one holding loadStartMs, whenever this call arrives: every shard of a sharded
   * load starts on the same interval grid, however its `begin` message straddles a boundary. The executor starts
   * startOffsetMs later (a scenario's `startTime`).
   */
  run(loadStartMs: number = this.now()): Promise<EngineResult> {
    this.loadStartMs = loadStartMs + this.startOffsetMs;
    const done = new Promise<void>((resolve) => (this.resolveDone = resolve));
    this.nextIntervalIndex = Math.max(0, Math.floor(loadStartMs / this.intervalMs));
    this.scheduleInterval();
    const start = () => {
      if (this.ending) return this.checkFinished(); // stopped before it began
      this.executor.start();
    };
    const waitMs = this.loadStartMs - this.now();
    if (waitMs > 0 && !this.ending) this.timers.push(setTimeout(start, waitMs));
    else start();
    return done.then(() => ({ loopLagP99Ms: this.health.runLagP99Ms(), started: this.started, dropped: this.dropped }));
  }

  private newVu(localIndex: number): Vu {
    // The process's VU number, then the whole test's: its segment's stripe (so __VU is unique across processes).
    const processIndex = localIndex * this.shard.count + this.shard.index;
    const globalId = (this.segment ? this.segment.globalIndex(processIndex) : processIndex) + 1 + (this.o.vuIdOffset ?? 0);
    const vu = new Vu(globalId, this.shared, seededRandom((this.o.seed ?? 1) * 1_000_003 + globalId));
    this.vus[localIndex] = vu;
    return vu;
  }

  /** Replaces global variables for every VU (VUs read globals through their prototype; their own captures win). */
  updateGlobals(globals: Record<string, unknown>): void {
    Object.assign(this.shared.globals, globals);
  }

  // ---- ending ----

  /** Stops starting iterations; running ones get graceMs to finish, then are stopped. */
  end(graceMs: number = this.gracefulStopMs): void {
    if (this.ending) return;
    this.ending = true;
    for (const t of this.timers) clearTimeout(t);
    this.executor.onEnd();
    // Idle closed-model VUs (thinking between iterations count as running) stop at once.
    for (const vu of [...this.active]) if (!vu.running) this.active.delete(vu);
    this.recorder.setVus(this.active.size);
    if (this.active.size > 0) this.timers.push(setTimeout(() => this.kill(), graceMs));
    this.checkFinished();
  }

  /** Stops everything at once; requests in flight are abandoned. */
  kill(): void {
    this.ending = true;
    for (const vu of [...this.active]) vu.stop();
    this.active.clear();
    this.checkFinished();
  }

  private checkFinished(): void {
    if (!this.ending || this.finished) return;
    for (const vu of this.active) if (vu.running) return;
    this.finished = true;
    for (const t of this.timers) clearTimeout(t);
    for (const vu of this.vus) vu?.stop();
    this.sweeper.stop();
    if (this.intervalTimer) clearTimeout(this.intervalTimer);
    this.recorder.setVus(0);
    // The last, partial interval.
    const tMs = this.nextIntervalIndex * this.intervalMs;
    const partial = Math.max(1, Math.round(this.now() - tMs));
    this.flush(tMs, Math.min(partial, this.intervalMs));
    this.health.stop();
    this.resolveDone?.();
  }

  private scheduleInterval(): void {
    const boundary = (this.nextIntervalIndex + 1) * this.intervalMs;
    this.intervalTimer = setTimeout(() => {
      const tMs = this.nextIntervalIndex * this.intervalMs;
      this.nextIntervalIndex++;
      this.flush(tMs, this.intervalMs);
      if (!this.finished) this.scheduleInterval();
    }, Math.max(0, boundary - this.now()));
  }

  private flush(tMs: number, intervalMs: number): void {
    // Phase and target rate at the middle of the interval (intervals follow the run clock, the load starts a bit later).
    const loadT = tMs + intervalMs / 2 - this.loadStartMs;
    const open = isOpenModel(this.load);
    // An interval wholly before a late scenario's start has neither its phase nor its rate.
    const before = this.startOffsetMs > 0 && tMs + intervalMs <= this.loadStartMs;
    const records = this.recorder.take(tMs, {
      ...this.health.interval(),
      phase: before ? undefined : phaseAt(this.load, Math.max(0, loadT)),
      targetRatePerS: open ? (before ? 0 : (rateAt(this.load, Math.max(0, loadT)) * (this.segment?.share ?? 1)) / this.shard.count) : undefined,
    });
    if (intervalMs !== this.intervalMs) for (const r of records) r.intervalMs = intervalMs;
    if (!open) for (const r of records) if (r.type === 'tick') delete r.targetRatePerS;
    this.o.onRecords(records);
  }
}
