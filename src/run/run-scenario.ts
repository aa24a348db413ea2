// The library entry point: runScenario(opts) -> RunHandle (an event emitter and a promise).

import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { cpus, platform, arch } from 'node:os';
import { gitInfo } from '../results/git-info.ts';
import { InvalidRunError, exitCodeFor, exitCodeForOutcome } from '../errors.ts';
import type { IntervalRecord, ProfileName, RunJson, RunStatus, SampleRecord } from '../results/format.ts';
import { FORMAT_VERSION, RUN_FILES } from '../results/format.ts';
import { RunDirWriter } from '../results/run-dir-writer.ts';
import { readRunDir } from '../results/read.ts';
import { buildSummary } from '../results/summary.ts';
import type { ScenarioDefinition } from '../scenario/types.ts';
import { phases as stagePhases, plannedDurationMs, peakVUs, peakRatePerS } from '../scenario/stages.ts';
import { parseDurationMs } from '../scenario/duration.ts';
import { guardPgUrl, guardTarget } from '../engine/host-guard.ts';
import { redactUrl } from '../redact.ts';
import { startLoad, type RunningLoad } from '../engine/load-runner.ts';
import { compilePlan } from '../engine/plan.ts';
import { runSetup } from './setup.ts';
import { startSetupRefresh } from './setup-refresh.ts';
import { redactForRunJson, resolveScenario, withDataFiles } from './resolve-scenario.ts';
import { RunHandle, type RunOutcome } from './run-handle.ts';
import type { RunContext, RunHooks } from './hooks.ts';
import { PERFGATE_VERSION } from '../version.ts';
import { minSamplesForPercentile } from '../slo/sample-size.ts';

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
  profile?: ProfileName;
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

async function execute(opts: RunScenarioOptions, handle: RunHandle): Promise<RunOutcome> {
  // resolve + validate -> host guard -> compile -> run dir (running) -> setup -> beforeLoad
  //   -> load (intervals streamed, onInterval) -> afterLoad -> status -> summary.json, run.json -> finalize
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const workers = Math.max(1, Math.floor(opts.workers ?? 1));
  const seed = opts.seed ?? 1;
  const intervalMs = opts.intervalMs ?? 1000;
  const hooks = opts.hooks ?? {};
  const warn = (err: Error) => {
    if (handle.listenerCount('error') > 0) handle.emit('error', err);
  };

  const scenario = await resolveScenario(opts.scenario, { profile: opts.profile ?? 'full', targetUrl: opts.targetUrl, cwd, env, dataDirs: opts.dataDirs });
  const def = scenario.definition;
  for (const w of scenario.warnings) warn(new Error(`warning: ${w}`));
  const allowHosts = [...(opts.allowHosts ?? []), ...(def.target.allowHosts ?? [])];
  const target = await guardTarget(def.target.baseUrl, allowHosts);
  const loadDef = await pinConnections(def, allowHosts);
  const plan = compilePlan(def, target); // template syntax errors surface here, before anything is written
  const setupOpts = { allowHosts, insecureSkipTLSVerify: def.insecureSkipTLSVerify };

  const startedAt = new Date();
  const t0EpochMs = performance.timeOrigin + performance.now();
  const clock = () => performance.timeOrigin + performance.now() - t0EpochMs;
  const writer = RunDirWriter.create({ out: opts.out, reportsDir: opts.reportsDir ?? `${cwd}/reports`, scenario: def.name, startedAt });
  const planned = plannedDurationMs(def.load);
  const run: RunJson = {
    format: FORMAT_VERSION,
    id: randomUUID(),
    scenario: def.name,
    ...(def.description ? { description: def.description } : {}),
    profile: scenario.profile,
    startedAt: startedAt.toISOString(),
    plannedDurationMs: planned,
    status: 'running',
    target: { baseUrl: redactUrl(def.target.baseUrl), ...targetBuild(env) },
    load: { executor: def.load.executor, peakVUs: peakVUs(def.load), ...(peakRatePerS(def.load) !== undefined ? { peakRatePerS: peakRatePerS(def.load) } : {}) },
    config: redactForRunJson(def, opts.keepBodies),
    environment: { node: process.version, os: platform(), arch: arch(), cpus: cpus().length, perfgateVersion: PERFGATE_VERSION, ...gitInfo(cwd, env), workers },
    phases: [],
    faults: [],
  };
  writer.writeRun(run);
  handle.emit('start', { runDir: writer.dir, run });

  const stop = new AbortController();
  const writeSample = (record: SampleRecord) => {
    writer.appendSample(record);
    handle.emit('sample', record);
  };
  const ctx: RunContext = { runDir: writer.dir, run, clock, signal: stop.signal, writeSample };
  const state: { status: RunStatus; reason?: string } = { status: 'completed' };
  let load: RunningLoad | undefined;
  const onAbort = () => {
    if (state.status === 'completed') {
      state.status = 'interrupted';
      state.reason = 'interrupted by a signal before the planned end';
    }
    load?.end(STOP_GRACE_MS);
  };
  let result = { loopLagP99Ms: 0, started: 0, dropped: 0 };
  let loadMs = 0;
  try {
    const globals = { env, ...(await runSetup(plan, target, { env }, warn, setupOpts)) };
    await hooks.beforeLoad?.(ctx);
    if (opts.signal?.aborted) onAbort();
    else {
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      load = await startLoad(
        { def: withDataFiles(loadDef, scenario.dataFiles), target, globals: JSON.parse(JSON.stringify(globals)), t0EpochMs, baseDir: scenario.baseDir, seed, intervalMs, allowHosts },
        workers,
        {
          onRecords: (records: IntervalRecord[]) => {
            writer.appendIntervals(records);
            writer.flush();
            handle.emit('tick', records);
            const verdict = hooks.onInterval?.(records);
            if (verdict && 'abort' in verdict && state.status === 'completed') {
              state.status = 'aborted';
              state.reason = verdict.abort;
              if (verdict.by) run.abortedBy = verdict.by;
              load?.end(STOP_GRACE_MS);
            }
          },
          onError: warn,
        },
      );
      // Workers start on the same clock a few ms from now.
      const loadStartMs = clock() + (workers > 1 ? 20 : 0);
      run.phases = stagePhases(def.load).map((p) => ({ ...p, startMs: p.startMs + loadStartMs, endMs: p.endMs + loadStartMs }));
      writer.writeRun(run);
      const done = load.begin(loadStartMs);
      if (opts.signal?.aborted) onAbort();
      const running = load;
      const refresher = def.setup?.refreshEvery
        ? startSetupRefresh({
            everyMs: parseDurationMs(def.setup.refreshEvery, 'setup.refreshEvery'),
            refresh: () => runSetup(plan, target, { env }, () => {}, setupOpts),
            apply: (captures) => running.updateGlobals(JSON.parse(JSON.stringify(captures)) as Record<string, unknown>),
            onError: warn,
          })
        : undefined;
      try {
        result = await done;
        loadMs = clock() - loadStartMs;
      } finally {
        refresher?.stop();
      }
    }
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
    stop.abort();
  }
  await hooks.afterLoad?.(ctx);
  writer.flush();

  const attempted = result.started + result.dropped;
  const maxLagMs = opts.saturation?.maxLoopLagP99Ms ?? MAX_LOOP_LAG_P99_MS;
  const maxDropped = opts.saturation?.maxDroppedShare ?? MAX_DROPPED_SHARE;
  // Every run is checked, an interrupted or aborted one too: invalid outranks both (exitCodeForOutcome).
  let saturated: string | undefined;
  if (result.loopLagP99Ms > maxLagMs && loadMs >= MIN_LAG_JUDGED_MS) {
    saturated = `the load generator saturated: its event-loop lag p99 was ${result.loopLagP99Ms.toFixed(1)} ms (limit ${maxLagMs} ms); use --workers or a smaller load`;
  } else if (attempted > 0 && result.dropped / attempted > maxDropped) {
    saturated = `the load generator could not hold the schedule: ${result.dropped} of ${attempted} iterations (${((100 * result.dropped) / attempted).toFixed(1)}%) were dropped (limit ${maxDropped * 100}%); raise maxVUs`;
  }
  if (saturated) {
    const also = state.status === 'interrupted' ? ' (the run was also interrupted by a signal)' : state.status === 'aborted' ? ' (the run was also aborted by a threshold)' : '';
    state.status = 'invalid';
    state.reason = `${saturated}${also}`;
  }
  const endedAt = new Date();
  run.status = state.status;
  if (state.reason) run.statusReason = state.reason;
  run.endedAt = endedAt.toISOString();
  run.durationMs = endedAt.getTime() - startedAt.getTime();
  writer.writeRun(run);
  const data = await readRunDir(writer.dir);
  const summary = buildSummary({ run, intervals: data.intervals, samples: data.samples });
  writer.writeJson(RUN_FILES.summary, summary);
  const fin = await hooks.finalize?.({ runDir: writer.dir, run });
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
