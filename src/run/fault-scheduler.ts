// Drives a scenario's `faults` schedule through the lab: each fault starts at its `at`, ends after its `duration`,
// and is recorded as a window in run.json (and as `fault_active` samples) so every chart can show it as a band.

import { ConfigError } from '../errors.ts';
import type { SampleRecord, TimeWindow } from '../results/format.ts';
import type { FaultSpec } from '../scenario/types.ts';
import { parseDurationMs } from '../scenario/duration.ts';
import { isAlive } from '../lab/process.ts';
import { correctSecretWorks, floodSamples, startLoginFlood, type LoginFlood } from './login-flood.ts';
import type { RecoveryKit } from '../lab/recovery/kit.ts';
import type { FaultProxy } from '../lab/fault-proxy.ts';
import { RECOVERY_DRILLS, runRecoveryAction } from './recovery/actions.ts';

/** What a fault needs from the lab (the subset of src/lab's LabFaults the scheduler calls). */
export interface FaultTarget {
  redisStop(): Promise<void>;
  redisStart(): Promise<void>;
  postgresRestart(): Promise<void>;
  upstream(control: Record<string, unknown>): Promise<unknown>;
  killWorker(): Promise<number>;
  /** Live target workers now; lets the worker-kill drill measure the time until the worker is replaced. */
  workerCount?(): number;
  /** The recovery drills' kit, in a lab started with `recovery`. */
  recovery?: RecoveryKit;
  /** The fault proxy on the target's path to the database, in a lab started with `dbProxy`. */
  dbProxy?: FaultProxy;
}

/** What an action may use besides the lab: the run clock, the sample stream, and a signal that ends waiting. */
interface FaultContext {
  clock: () => number;
  writeSample: (s: SampleRecord) => void;
  signal: AbortSignal;
  /** The target's base URL (faults that send traffic, such as login-flood). */
  targetUrl?: string;
  /** An https target's CA (PEM), trusted beside Node's roots. */
  tlsCa?: string;
  /** The fault's params as scheduled. */
  params?: Record<string, unknown>;
  onLog?: (line: string) => void;
}

/** Longest wait for a killed worker's replacement (the RTO we hold the measured figure against). */
export const MAX_RECOVERY_WAIT_MS = 600_000;

/** One fault action: how to begin it and, for faults with a duration, how to end it. */
interface FaultAction {
  begin(lab: FaultTarget, params: Record<string, unknown>, ctx: FaultContext): Promise<unknown>;
  /** Ends the fault; `begun` is what begin() resolved with. */
  end?(lab: FaultTarget, begun: unknown, ctx: FaultContext): Promise<unknown>;
}

/** The fault actions a scenario may schedule. */
export const FAULT_ACTIONS: Record<string, FaultAction> = {
  'upstream-outage': { begin: (lab) => lab.upstream({ outage: true }), end: (lab) => lab.upstream({ outage: false }) },
  'upstream-hang': { begin: (lab) => lab.upstream({ hang: true }), end: (lab) => lab.upstream({ hang: false }) },
  'upstream-latency': {
    begin: (lab, p) => lab.upstream({ latencyMs: Number(p.latencyMs ?? 2000) }),
    end: (lab) => lab.upstream({ latencyMs: 0 }),
  },
  'upstream-errors': {
    begin: (lab, p) => lab.upstream({ errorRate: Number(p.errorRate ?? 1) }),
    end: (lab) => lab.upstream({ errorRate: 0 }),
  },
  'redis-stop': { begin: (lab) => lab.redisStop(), end: (lab) => lab.redisStart() },
  'postgres-restart': { begin: (lab) => lab.postgresRestart() },
  'worker-kill': { begin: (lab, _params, ctx) => killAndTimeRecovery(lab, ctx) },
  'login-flood': { begin: (_lab, params, ctx) => beginLoginFlood(params, ctx), end: (_lab, flood, ctx) => endLoginFlood(flood as LoginFlood, ctx) },
  'db-latency': { begin: async (lab, p) => proxyOf(lab).set({ kind: 'latency', latencyMs: Number(p.latencyMs ?? 200), jitterMs: Number(p.jitterMs ?? 20) }), end: async (lab) => proxyOf(lab).set(null) },
  'db-bandwidth': { begin: async (lab, p) => proxyOf(lab).set({ kind: 'bandwidth', bytesPerS: Number(p.bytesPerS ?? 10_000) }), end: async (lab) => proxyOf(lab).set(null) },
  'db-blackhole': { begin: async (lab) => proxyOf(lab).set({ kind: 'timeout' }), end: async (lab) => proxyOf(lab).set(null) },
  'db-slow-close': { begin: async (lab, p) => proxyOf(lab).set({ kind: 'slow_close', delayMs: Number(p.delayMs ?? 5_000) }), end: async (lab) => proxyOf(lab).set(null) },
  'db-reset': { begin: async (lab) => proxyOf(lab).resetPeers() },
  ...Object.fromEntries(Object.keys(RECOVERY_DRILLS).map((name) => [name, { begin: (lab: FaultTarget, params: Record<string, unknown>, ctx: FaultContext) => runRecoveryAction(name, lab, params, ctx) }])),
};

/** The lab's database fault proxy; a ConfigError naming lab.dbProxy when the lab has none. */
function proxyOf(lab: FaultTarget): FaultProxy {
  if (!lab.dbProxy) throw new ConfigError([{ path: 'lab.dbProxy', message: 'database network faults need a lab of its own with the fault proxy (set the scenario\'s lab.dbProxy: true)' }], 'invalid faults');
  return lab.dbProxy;
}

/** The login-flood fault's defaults: flooding clients, their source addresses, and the real client checked after. */
const FLOOD_DEFAULTS = { clients: 150, sources: 30, clientId: 'perfgate-load', clientSecret: 'perfgate-load-secret' };

/** Starts bad logins from many clients against the target (params: clients, sources, clientId, clientSecret). */
async function beginLoginFlood(params: Record<string, unknown>, ctx: FaultContext): Promise<LoginFlood> {
  if (!ctx.targetUrl) throw new ConfigError([{ path: 'faults', message: 'login-flood needs the lab\'s target' }], 'invalid faults');
  const p = { ...FLOOD_DEFAULTS, ...params };
  return startLoginFlood({
    targetUrl: ctx.targetUrl,
    tlsCa: ctx.tlsCa,
    clients: Number(p.clients),
    sources: Number(p.sources),
    good: { clientId: String(p.clientId), clientSecret: String(p.clientSecret) },
    signal: ctx.signal,
  });
}

/** Stops the flood, checks the correct secret still works, and writes the flood's samples. */
async function endLoginFlood(flood: LoginFlood, ctx: FaultContext): Promise<void> {
  const counts = await flood.stop();
  const p = { ...FLOOD_DEFAULTS, ...ctx.params };
  const ok = await correctSecretWorks(ctx.targetUrl!, { clientId: String(p.clientId), clientSecret: String(p.clientSecret) }, ctx.tlsCa);
  for (const s of floodSamples(ctx.clock(), counts, ok)) ctx.writeSample(s);
}

/** Kills a worker, then (in the background) writes `recovery_time`: ms until the worker count is whole again. */
async function killAndTimeRecovery(lab: FaultTarget, ctx: FaultContext): Promise<void> {
  const before = lab.workerCount?.();
  const killedAtMs = ctx.clock();
  const pid = await lab.killWorker();
  if (before === undefined || !lab.workerCount) return;
  const count = lab.workerCount;
  void (async () => {
    // poll every 50 ms: the old PID gone and the count back -> recovered; bounded by the RTO and the run's end
    while (!ctx.signal.aborted && ctx.clock() - killedAtMs < MAX_RECOVERY_WAIT_MS) {
      await new Promise((r) => setTimeout(r, 50));
      if (count() >= before && !isAlive(pid)) {
        const recoveredMs = ctx.clock() - killedAtMs;
        ctx.writeSample({ tMs: ctx.clock(), source: 'lab', metric: 'recovery_time', value: recoveredMs, labels: { fault: 'worker-kill', pid: String(pid) } });
        return;
      }
    }
    // Never recovered within the run: the measured figure is at least the time waited.
    ctx.writeSample({ tMs: ctx.clock(), source: 'lab', metric: 'recovery_time', value: ctx.clock() - killedAtMs, labels: { fault: 'worker-kill', pid: String(pid), recovered: 'false' } });
  })();
}


/** A fault with its times resolved, in ms from the start of the load. */
export interface PlannedFault {
  action: string;
  atMs: number;
  durationMs: number;
  params: Record<string, unknown>;
}

/** Validates the faults and resolves their times; every problem is reported at once. */
export function planFaults(faults: FaultSpec[] | undefined, hasLab: boolean): PlannedFault[] {
  if (!faults?.length) return [];
  const issues: Array<{ path: string; message: string }> = [];
  if (!hasLab) issues.push({ path: 'faults', message: 'faults are injected through the lab: run with --lab' });
  const planned: PlannedFault[] = [];
  faults.forEach((f, i) => {
    const action = FAULT_ACTIONS[f.action];
    if (!action) {
      issues.push({ path: `faults[${i}].action`, message: `unknown fault "${f.action}" (expected one of ${Object.keys(FAULT_ACTIONS).join(', ')})` });
      return;
    }
    try {
      const atMs = parseDurationMs(f.at, `faults[${i}].at`);
      const durationMs = f.duration === undefined ? 0 : parseDurationMs(f.duration, `faults[${i}].duration`);
      if (action.end && durationMs <= 0) issues.push({ path: `faults[${i}].duration`, message: `"${f.action}" needs a duration` });
      planned.push({ action: f.action, atMs, durationMs, params: f.params ?? {} });
    } catch (err) {
      if (err instanceof ConfigError) issues.push(...err.issues);
      else throw err;
    }
  });
  if (issues.length) throw new ConfigError(issues, 'invalid faults');
  return planned;
}

/** A running schedule. */
export interface FaultSchedule {
  /** Ends any fault still active (the load stopped early) and waits for pending actions. */
  stop(): Promise<void>;
}

/** What a fault schedule needs: the plan, the lab, the run clock, where windows and samples go. */
export interface FaultScheduleOptions {
  faults: PlannedFault[];
  lab: FaultTarget;
  clock: () => number;
  /** The load's start on the run clock, which every fault's `at` counts from; now when left out. */
  originMs?: number;
  windows: TimeWindow[];
  writeSample: (s: SampleRecord) => void;
  /** The target's base URL, for faults that send traffic, and its CA (PEM) when it is https. */
  targetUrl?: string;
  tlsCa?: string;
  onLog?: (line: string) => void;
  onError?: (err: Error) => void;
}

/** Starts the schedule, each fault at its `at` after `originMs` (the load's start); windows are pushed into `windows` as faults begin and end. */
export function startFaultSchedule(opts: FaultScheduleOptions): FaultSchedule {
  // for each fault: timer(at) -> begin -> window opened -> timer(duration) -> end -> window closed
  return new RunningFaults(opts);
}

/** The schedule while it runs: a timer per fault to begin, one per active fault to end, and the actions pending. */
class RunningFaults implements FaultSchedule {
  private readonly startMs: number;
  private readonly ended = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly active = new Map<PlannedFault, TimeWindow>();
  private readonly begun = new Map<PlannedFault, unknown>();

  constructor(private readonly opts: FaultScheduleOptions) {
    this.startMs = opts.originMs ?? opts.clock();
    for (const f of opts.faults) this.at(this.startMs + f.atMs, () => this.begin(f));
  }

  /** Ends any fault still active (the load stopped early) and waits for pending actions. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.ended.abort();
    await Promise.all([...this.pending]); // a fault still beginning becomes active first, then ends below
    for (const f of [...this.active.keys()]) this.finish(f);
    await Promise.all([...this.pending]);
  }

  /** Calls fn at tMs on the run clock, never before: a timer that fires early (ms rounding) waits out the rest. */
  private at(tMs: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.opts.clock() < tMs) this.at(tMs, fn);
      else fn();
    }, Math.max(0, tMs - this.opts.clock()));
    this.timers.add(timer);
  }

  /** Opens the fault's window and begins it; a fault with an end is ended at its planned end on the schedule's clock. */
  private begin(f: PlannedFault): void {
    const { clock, windows, onLog } = this.opts;
    const w: TimeWindow = { name: f.action, startMs: clock(), endMs: clock() };
    windows.push(w);
    this.mark(f, 1);
    onLog?.(`fault ${f.action} began at ${(w.startMs / 1000).toFixed(1)} s`);
    const action = FAULT_ACTIONS[f.action]!;
    this.track(
      action.begin(this.opts.lab, f.params, this.ctxOf(f)).then((result) => {
        this.begun.set(f, result);
        if (!action.end) {
          w.endMs = clock();
          this.mark(f, 0);
          return;
        }
        this.active.set(f, w);
        this.at(this.startMs + f.atMs + f.durationMs, () => this.finish(f));
      }),
    );
  }

  /** Ends an active fault and closes its window. */
  private finish(f: PlannedFault): void {
    const w = this.active.get(f);
    if (!w) return;
    this.active.delete(f);
    const action = FAULT_ACTIONS[f.action]!;
    this.track(
      (action.end ? action.end(this.opts.lab, this.begun.get(f), this.ctxOf(f)) : Promise.resolve()).then(() => {
        w.endMs = this.opts.clock();
        this.mark(f, 0);
        this.opts.onLog?.(`fault ${f.action} ended at ${(w.endMs / 1000).toFixed(1)} s`);
      }),
    );
  }

  private ctxOf(f: PlannedFault) {
    return { clock: this.opts.clock, writeSample: this.opts.writeSample, signal: this.ended.signal, targetUrl: this.opts.targetUrl, tlsCa: this.opts.tlsCa, params: f.params, onLog: this.opts.onLog };
  }

  /** Keeps an action pending until it settles; a failure is reported, never thrown. */
  private track(p: Promise<unknown>): void {
    const q = p.catch((err: Error) => this.opts.onError?.(new Error(`fault action failed: ${err.message}`)));
    this.pending.add(q);
    void q.finally(() => this.pending.delete(q));
  }

  /** fault_active: 1 while the fault is on, 0 once it is off. */
  private mark(f: PlannedFault, value: number): void {
    this.opts.writeSample({ tMs: this.opts.clock(), source: 'lab', metric: 'fault_active', value, labels: { action: f.action } });
  }
}
