// The library entry point: runScenario(opts) -> RunHandle (an event emitter and a promise).

import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { cpus, platform, arch } from 'node:os';
import { gitInfo } from '../results/git-info.ts';
import { ConfigError, InvalidRunError, exitCodeFor, exitCodeForOutcome } from '../errors.ts';
import { ExecutionTuple } from '../engine/execution-segment.ts';
import type { IntervalRecord, ProfileName, RunJson, RunStatus, SampleRecord } from '../results/format.ts';
import { FORMAT_VERSION, RUN_FILES } from '../results/format.ts';
import { RunDirWriter } from '../results/run-dir-writer.ts';
import { readRunDir } from '../results/read.ts';
import { buildSummary } from '../results/summary.ts';
import type { ScenarioDefinition } from '../scenario/types.ts';
import { peakVUs, peakRatePerS } from '../scenario/stages.ts';
import { executorsOf, hasScenarioMap, runPeakRatePerS, runPeakVUs, runPhases, runPlannedDurationMs, scenarioParts, type ScenarioPart } from '../scenario/scenarios.ts';
import { parseDurationMs } from '../scenario/duration.ts';
import { guardPgUrl, guardTarget } from '../engine/host-guard.ts';
import { redactUrl } from '../redact.ts';
import { startLoad, type RunningLoad } from '../engine/load-runner.ts';
import { compilePlan } from '../engine/plan.ts';
import { runSetup } from './setup.ts';
import { startSetupRefresh } from './setup-refresh.ts';
import { redactForRunJson, resolveScenario, withDataFiles, withTarget } from './resolve-scenario.ts';
import type { ResolvedScenario } from '../scenario/load.ts';
import type { ResolvedTarget } from '../engine/host-guard.ts';
import type { CompiledPlan } from '../engine/plan.ts';
import { RunHandle, type RunOutcome } from './run-handle.ts';
import type { RunContext, RunHooks } from './hooks.ts';
import { PERFGATE_VERSION } from '../version.ts';
import { minSamplesForPercentile } from '../slo/sample-size.ts';
import type { LoadOverrides } from '../scenario/overrides.ts';

/** Loop-lag p99 over the run above which the generator counts as saturated. */
export const MAX_LOOP_LAG_P99_MS = 50;
/** Share of dropped iterations above which the generator counts as saturated. */
export const MAX_DROPPED_SHARE = 0.01;
/**
 * The shortest load whose loop-lag p99 is judged: the lag is sampled every 10 ms, and a p99 needs 1,000 samples
 * (src/slo/sample-size.ts), so a shorter load (a run interrupted in its first seconds) is judged on dropped
 * iterations alone; its start-up pause would otherwise be its p99.
 */
export const MIN_LAG_JUDGED_MS = minSamplesForPercentile(99) * 10;
/** How long in-flight iterations get to finish after an interruption or abort. */
export const STOP_GRACE_MS = 2000;

/** Options of runScenario. */
export interface RunScenarioOptions {
  /** A scenario definition, or a scenario name / file path. */
  scenario: string | ScenarioDefinition;
  /** The scenario resolved already (runWithGate resolves it once): run as it is, `scenario` and `profile` unused. */
  resolved?: ResolvedScenario;
  profile?: ProfileName;
  /** Load overrides (--vus, --duration, --iterations, --rate, --stage), applied after the profile. */
  overrides?: LoadOverrides;
  /** Overrides target.baseUrl. */
  targetUrl?: string;
  /** Run directory (default reports/<YYYYMMDD-HHMMSS>-<scenario>). */
  out?: string;
  /** Reports folder when `out` is not given (default `reports` under cwd). */
  reportsDir?: string;
  /** Worker threads to shard the load across (default 1: the main thread). */
  workers?: number;
  /** Non-loopback hosts allowed as targets (besides target.allowHosts). */
  allowHosts?: string[];
  /** Keep request bodies and sql parameters in run.json (secret fields still redacted); by default only their shape. */
  keepBodies?: boolean;
  /** Aborting it stops the load gracefully and ends the run as `interrupted`. */
  signal?: AbortSignal;
  cwd?: string;
  /** Folders a definition's relative data files are looked up in, in order (default: cwd; a file's: see data-files.ts). */
  dataDirs?: string[];
  env?: Record<string, string | undefined>;
  seed?: number;
  intervalMs?: number;
  hooks?: RunHooks;
  /** When the generator counts as saturated (run `invalid`, exit 103); defaults 50 ms and 1%. */
  saturation?: { maxLoopLagP99Ms?: number; maxDroppedShare?: number };
  /** This process's share of the schedule, with k6's semantics (`1/3:2/3` of `0,1/3,2/3,1`): see execution-segment.ts. */
  executionSegment?: string;
  executionSegmentSequence?: string;
  /** When the load starts, epoch ms (--start-at): N processes started together share one interval grid. */
  startAtEpochMs?: number;
}

/** Starts a run; listen to the handle's events, await it for the outcome. */
export function runScenario(opts: RunScenarioOptions): RunHandle {
  return new RunHandle((handle) => execute(opts, handle));
}

/** The definition the load runs: each `sql` connection checked by the host guard and pinned to its checked address. */
async function pinConnections(def: ScenarioDefinition, allowHosts: readonly string[]): Promise<ScenarioDefinition> {
  if (!def.connections) return def;
  const connections: NonNullable<ScenarioDefinition['connections']> = {};
  for (const [name, conn] of Object.entries(def.connections)) {
    connections[name] = { ...conn, pinned: await guardPgUrl(conn.url, allowHosts, `connections.${name}.url`) };
  }
  return { ...def, connections };
}

/** A run's scenario made ready: resolved, its target and connections cleared by the host guard, its plan compiled. */
interface PreparedRun {
  scenario: ResolvedScenario;
  def: ScenarioDefinition;
  cwd: string;
  env: Record<string, string | undefined>;
  workers: number;
  allowHosts: string[];
  target: ResolvedTarget;
  loadDef: ScenarioDefinition;
  plan: CompiledPlan;
  setupOpts: { allowHosts: string[]; insecureSkipTLSVerify?: boolean; tlsCa?: string };
  /** The execution segment, checked (undefined: the whole schedule). */
  segment?: ExecutionTuple;
}

/** The open run directory and the run clock. */
interface OpenRun {
  writer: RunDirWriter;
  run: RunJson;
  startedAt: Date;
  t0EpochMs: number;
  clock: () => number;
}

/** How the load went: the engine's figures, the load's length, and the status so far. */
interface LoadResult {
  result: { loopLagP99Ms: number; started: number; dropped: number };
  loadMs: number;
  state: { status: RunStatus; reason?: string };
}

/**
 * One run, as a pipeline of named stages:
 *
 *   prepare (resolve + validate, host guard, compile) -> openRunDir (run.json `running`, `start` event)
 *     -> runLoad (setup -> beforeLoad -> load: intervals streamed, onInterval, setup refresh)
 *     -> afterLoad -> judgeSaturation (invalid outranks all) -> finish (run.json final, the run read once,
 *        finalize: verdict, summary.json, report; exit code)
 */
async function execute(opts: RunScenarioOptions, handle: RunHandle): Promise<RunOutcome> {
  const warn = (err: Error) => {
    if (handle.listenerCount('error') > 0) handle.emit('error', err);
  };
  const prep = await prepare(opts, warn);
  const open = openRunDir(prep, opts);
  handle.emit('start', { runDir: open.writer.dir, run: open.run });
  const stop = new AbortController();
  const ctx: RunContext = {
    runDir: open.writer.dir,
    run: open.run,
    clock: open.clock,
    signal: stop.signal,
    writeSample: (record: SampleRecord) => {
      open.writer.appendSample(record);
      handle.emit('sample', record);
    },
  };
  const loaded = await runLoad(prep, open, opts, handle, ctx, warn).finally(() => stop.abort());
  await opts.hooks?.afterLoad?.(ctx);
  open.writer.flush();
  judgeSaturation(loaded, saturationLimits(prep.def, opts.saturation));
  return finish(open, loaded.state, opts.hooks ?? {});
}

/** Resolves the scenario (unless given resolved), clears the target and sql connections, compiles the plan. */
async function prepare(opts: RunScenarioOptions, warn: (err: Error) => void): Promise<PreparedRun> {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const scenario = opts.resolved
    ? withTarget(opts.resolved, opts.targetUrl)
    : await resolveScenario(opts.scenario, { profile: opts.profile ?? 'full', overrides: opts.overrides, targetUrl: opts.targetUrl, cwd, env, dataDirs: opts.dataDirs });
  const def = scenario.definition;
  for (const w of scenario.warnings) warn(new Error(`warning: ${w}`));
  const allowHosts = [...(opts.allowHosts ?? []), ...(def.target.allowHosts ?? [])];
  const target = await guardTarget(def.target.baseUrl, allowHosts);
  const loadDef = await pinConnections(def, allowHosts);
  const plan = compilePlan(def, target); // template syntax errors surface here, before anything is written
  const workers = Math.max(1, Math.floor(opts.workers ?? 1));
  const segment = ExecutionTuple.fromFlags(opts.executionSegment, opts.executionSegmentSequence);
  // A moment already past when this process started is a mistake; one that passed while it started (a slow pod) is
  // kept: the schedule starts there and the late arrivals start at once (driveLoad warns).
  if (opts.startAtEpochMs !== undefined && opts.startAtEpochMs < performance.timeOrigin) {
    throw new ConfigError([{ path: '--start-at', message: `${new Date(opts.startAtEpochMs).toISOString()} was past before perfgate started` }], 'invalid arguments');
  }
  return { scenario, def, cwd, env, workers, allowHosts, target, loadDef, plan, segment, setupOpts: { allowHosts, insecureSkipTLSVerify: def.insecureSkipTLSVerify, tlsCa: def.tlsCa } };
}

/** Creates the run directory and writes run.json with status `running`; starts the run clock. */
function openRunDir(prep: PreparedRun, opts: RunScenarioOptions): OpenRun {
  const { def, scenario, cwd, env } = prep;
  // With --start-at the clock's origin is a whole number of intervals before it, so every process of one test closes
  // its intervals on the same grid (perfgate merge then adds them up exactly).
  const nowEpochMs = performance.timeOrigin + performance.now();
  const intervalMs = opts.intervalMs ?? 1000;
  const t0EpochMs = opts.startAtEpochMs === undefined ? nowEpochMs : opts.startAtEpochMs - Math.max(0, Math.ceil((opts.startAtEpochMs - nowEpochMs) / intervalMs)) * intervalMs;
  const startedAt = new Date(opts.startAtEpochMs === undefined ? Date.now() : t0EpochMs);
  const clock = () => performance.timeOrigin + performance.now() - t0EpochMs;
  const writer = RunDirWriter.create({ out: opts.out, reportsDir: opts.reportsDir ?? `${cwd}/reports`, scenario: def.name, startedAt });
  const peakRate = runPeakRatePerS(def);
  const run: RunJson = {
    format: FORMAT_VERSION,
    id: randomUUID(),
    scenario: def.name,
    ...(def.description ? { description: def.description } : {}),
    profile: scenario.profile,
    startedAt: startedAt.toISOString(),
    plannedDurationMs: runPlannedDurationMs(def),
    status: 'running',
    target: { baseUrl: redactUrl(def.target.baseUrl), ...targetBuild(env) },
    load: loadShare(def, prep.segment, peakRate),
    config: redactForRunJson(def, opts.keepBodies),
    environment: { node: process.version, os: platform(), arch: arch(), cpus: cpus().length, perfgateVersion: PERFGATE_VERSION, ...gitInfo(cwd, env), workers: prep.workers },
    phases: [],
    faults: [],
    ...(prep.segment ? { executionSegment: prep.segment.describe() } : {}),
  };
  writer.writeRun(run);
  return { writer, run, startedAt, t0EpochMs, clock };
}

/** The load's executor and peaks, this process's share of them under an execution segment (so merged parts add up). */
function loadShare(def: ScenarioDefinition, segment: ExecutionTuple | undefined, peakRate: number | undefined): RunJson['load'] {
  const vus = runPeakVUs(def);
  const rate = peakRate === undefined ? undefined : peakRate * (segment?.share ?? 1);
  const scenarios = hasScenarioMap(def) ? { scenarios: scenarioParts(def).map((p) => scenarioShare(p, segment)) } : {};
  return { executor: executorsOf(def), peakVUs: segment ? segment.scale(vus) : vus, ...(rate !== undefined ? { peakRatePerS: rate } : {}), ...scenarios };
}

/** One scenario part of a `scenarios` map in run.json: its executor, start and peaks (this process's share). */
function scenarioShare(p: ScenarioPart, segment: ExecutionTuple | undefined): NonNullable<RunJson['load']['scenarios']>[number] {
  const vus = peakVUs(p.load);
  const rate = peakRatePerS(p.load);
  return {
    name: p.name,
    executor: p.load.executor,
    startMs: p.startMs,
    peakVUs: segment ? segment.scale(vus) : vus,
    ...(rate !== undefined ? { peakRatePerS: rate * (segment?.share ?? 1) } : {}),
  };
}

/**
 * Setup, beforeLoad, then the load until its end, an abort or a signal. A failure before the load ran (setup, the
 * load not starting) is written into run.json, and rethrown.
 */
async function runLoad(prep: PreparedRun, open: OpenRun, opts: RunScenarioOptions, handle: RunHandle, ctx: RunContext, warn: (err: Error) => void): Promise<LoadResult> {
  const { plan, target, env, setupOpts } = prep;
  const { writer, run } = open;
  const out: LoadResult = { result: { loopLagP99Ms: 0, started: 0, dropped: 0 }, loadMs: 0, state: { status: 'completed' } };
  let load: RunningLoad | undefined;
  const onAbort = () => {
    if (out.state.status === 'completed') out.state = { status: 'interrupted', reason: 'stopped by a signal before the planned end' };
    load?.end(STOP_GRACE_MS);
  };
  try {
    const globals = { env, ...(await runSetup(plan, target, { env }, warn, setupOpts)) };
    await opts.hooks?.beforeLoad?.(ctx);
    if (opts.signal?.aborted) {
      onAbort();
      return out;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    load = await startEngines(prep, open, opts, handle, globals, out, () => load, warn);
    await driveLoad(prep, open, opts, load, out, onAbort, warn);
    return out;
  } catch (err) {
    // Setup failed or the load could not start: the run directory still says why.
    run.status = err instanceof InvalidRunError ? 'invalid' : 'aborted';
    run.statusReason = (err as Error).message;
    run.endedAt = new Date().toISOString();
    run.exitCode = exitCodeFor(err);
    writer.writeRun(run);
    writer.close();
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Starts the engines (on worker threads with --workers); each closed interval is streamed, emitted and judged live. */
function startEngines(prep: PreparedRun, open: OpenRun, opts: RunScenarioOptions, handle: RunHandle, globals: Record<string, unknown>, out: LoadResult, current: () => RunningLoad | undefined, warn: (err: Error) => void): Promise<RunningLoad> {
  const { writer, run } = open;
  const engineDef = withDataFiles(prep.loadDef, prep.scenario.dataFiles);
  const segment = opts.executionSegment !== undefined || opts.executionSegmentSequence !== undefined ? { segment: opts.executionSegment, sequence: opts.executionSegmentSequence } : undefined;
  const loadOpts = { def: engineDef, target: prep.target, globals: JSON.parse(JSON.stringify(globals)), t0EpochMs: open.t0EpochMs, baseDir: prep.scenario.baseDir, seed: opts.seed ?? 1, intervalMs: opts.intervalMs ?? 1000, allowHosts: prep.allowHosts, segment };
  return startLoad(loadOpts, prep.workers, {
    onRecords: (records: IntervalRecord[]) => {
      writer.appendIntervals(records);
      writer.flush();
      handle.emit('tick', records);
      const verdict = opts.hooks?.onInterval?.(records);
      if (verdict && 'abort' in verdict && out.state.status === 'completed') {
        out.state = { status: 'aborted', reason: verdict.abort };
        if (verdict.by) run.abortedBy = verdict.by;
        current()?.end(STOP_GRACE_MS);
      }
    },
    onError: warn,
  });
}

/** Begins the load on the shared clock, writes the phases, refreshes setup on its period, waits for the end. */
async function driveLoad(prep: PreparedRun, open: OpenRun, opts: RunScenarioOptions, load: RunningLoad, out: LoadResult, onAbort: () => void, warn: (err: Error) => void): Promise<void> {
  const { def, plan, target, env, setupOpts } = prep;
  // The load starts on the interval grid (--start-at names a moment on it), so a stage of whole intervals fills whole
  // intervals and a phase's requests are exactly its intervals'; worker threads need a few ms to receive the start.
  const loadStartMs = opts.startAtEpochMs !== undefined ? opts.startAtEpochMs - open.t0EpochMs : nextBoundaryMs(open.clock() + (prep.workers > 1 ? 20 : 1), opts.intervalMs ?? 1000);
  if (opts.startAtEpochMs !== undefined && loadStartMs < open.clock()) warn(new Error(`warning: the load is ready ${Math.round(open.clock() - loadStartMs)} ms after --start-at; the schedule keeps its start, so the late arrivals start at once`));
  open.run.phases = runPhases(def).map((p) => ({ ...p, startMs: p.startMs + loadStartMs, endMs: p.endMs + loadStartMs }));
  open.writer.writeRun(open.run);
  opts.hooks?.onLoadStart?.(loadStartMs);
  const done = load.begin(loadStartMs);
  if (opts.signal?.aborted) onAbort();
  const refresher = def.setup?.refreshEvery
    ? startSetupRefresh({
        everyMs: parseDurationMs(def.setup.refreshEvery, 'setup.refreshEvery'),
        firstInMs: parseDurationMs(def.setup.refreshEvery, 'setup.refreshEvery') + Math.max(0, loadStartMs - open.clock()),
        refresh: () => runSetup(plan, target, { env }, () => {}, setupOpts),
        apply: (captures) => load.updateGlobals(JSON.parse(JSON.stringify(captures)) as Record<string, unknown>),
        onError: warn,
      })
    : undefined;
  try {
    out.result = await done;
    out.loadMs = open.clock() - loadStartMs;
  } finally {
    refresher?.stop();
  }
}

/** The first multiple of intervalMs at or after tMs: where the load starts on the run clock. */
export function nextBoundaryMs(tMs: number, intervalMs: number): number {
  return Math.ceil(tMs / intervalMs) * intervalMs;
}

/** The saturation limits: the caller's, else the scenario's `saturation`, else the defaults (in judgeSaturation). */
export function saturationLimits(def: Pick<ScenarioDefinition, 'saturation'>, given: RunScenarioOptions['saturation']): RunScenarioOptions['saturation'] {
  const own = def.saturation;
  return {
    ...(own?.maxLoopLagP99 !== undefined ? { maxLoopLagP99Ms: parseDurationMs(own.maxLoopLagP99, 'saturation.maxLoopLagP99') } : {}),
    ...(own?.maxDroppedShare !== undefined ? { maxDroppedShare: own.maxDroppedShare } : {}),
    ...given,
  };
}

/** Marks the run invalid when the generator saturated (loop lag, dropped iterations); invalid outranks every status. */
function judgeSaturation(loaded: LoadResult, limits: RunScenarioOptions['saturation']): void {
  const { result, loadMs, state } = loaded;
  const attempted = result.started + result.dropped;
  const maxLagMs = limits?.maxLoopLagP99Ms ?? MAX_LOOP_LAG_P99_MS;
  const maxDropped = limits?.maxDroppedShare ?? MAX_DROPPED_SHARE;
  // Every run is checked, an interrupted or aborted one too: invalid outranks both (exitCodeForOutcome).
  let saturated: string | undefined;
  if (result.loopLagP99Ms > maxLagMs && loadMs >= MIN_LAG_JUDGED_MS) {
    saturated = `the load generator saturated: its event-loop lag p99 was ${result.loopLagP99Ms.toFixed(1)} ms (limit ${maxLagMs} ms); use --workers or a smaller load`;
  } else if (attempted > 0 && result.dropped / attempted > maxDropped) {
    saturated = `the load generator could not hold the schedule: ${result.dropped} of ${attempted} iterations (${((100 * result.dropped) / attempted).toFixed(1)}%) were dropped (limit ${maxDropped * 100}%); raise maxVUs`;
  }
  if (!saturated) return;
  const also = state.status === 'interrupted' ? ' (the run was also interrupted by a signal)' : state.status === 'aborted' ? ' (the run was also aborted by a threshold)' : '';
  loaded.state = { status: 'invalid', reason: `${saturated}${also}` };
}

/** Writes the final run.json, reads the run once for finalize (verdict, summary.json, report), sets the exit code. */
async function finish(open: OpenRun, state: LoadResult['state'], hooks: RunHooks): Promise<RunOutcome> {
  const { writer, run, startedAt } = open;
  const endedAt = new Date();
  run.status = state.status;
  if (state.reason) run.statusReason = state.reason;
  run.endedAt = endedAt.toISOString();
  run.durationMs = endedAt.getTime() - startedAt.getTime();
  writer.writeRun(run);
  // The run directory is read once; summary.json is written once: by the gate's finalize, or here without one.
  const data = { ...(await readRunDir(writer.dir)), run };
  const fin = await hooks.finalize?.({ runDir: writer.dir, run, data });
  const summary = (fin && fin.summary) || buildSummary(data);
  if (!(fin && fin.summary)) writer.writeJson(RUN_FILES.summary, summary);
  // The verdict's code when a gate wrote one (it comes from exitCodeForOutcome too), else the run status's alone.
  const exitCode = (fin && fin.exitCode) ?? exitCodeForOutcome({ status: state.status, thresholds: 0, failedThresholds: 0, firedAlerts: 0 }).exitCode;
  run.exitCode = exitCode;
  writer.writeRun(run);
  writer.close();
  return { runDir: writer.dir, run, summary, exitCode };
}

/** The target build named by PERFGATE_TARGET_BUILD (trimmed, at most 200 characters), for run.json. */
export function targetBuild(env: Record<string, string | undefined>): { build?: string } {
  const build = env.PERFGATE_TARGET_BUILD?.trim().slice(0, 200);
  return build ? { build } : {};
}
