// The standard hooks of a perfgate run: collectors sample the server side, abortOnFail thresholds watch the
// intervals live, faults are injected through the lab, and at the end the SLO gate and the report are written.

import { scenarioTagNames } from '../metrics/scenario-tags.ts';
import { dirname } from 'node:path';
import type { ScenarioDefinition } from '../scenario/types.ts';
import type { AbortedBy, SampleRecord, SummaryJson, TimeWindow, VerdictEntry } from '../results/format.ts';
import { resolveCollectors, resolveIntervalMs, type LabUrls } from '../collectors/resolve.ts';
import { createSampler, type Sampler, type SamplerStats } from '../collectors/sampler.ts';
import { parseThresholds, type ParsedThreshold } from '../slo/grammar.ts';
import { resolveAlertRules } from '../slo/alert-rules.ts';
import { runPhases } from '../scenario/scenarios.ts';
import { ConfigError } from '../errors.ts';
import { createLiveMonitor, type LiveMonitor } from '../slo/live.ts';
import { checkRunDir, writeMarkdownSummary } from './check-run-dir.ts';
import { writeIndex, writeReport } from './write-report.ts';
import { isRunsFolder } from '../results/run-dir-writer.ts';
import { planFaults, startFaultSchedule, type FaultSchedule, type FaultTarget, type PlannedFault } from './fault-scheduler.ts';
import type { FinalizeContext, RunContext, RunHooks } from './hooks.ts';
import { connectionsLeaked, connectionTotals } from './connection-leak.ts';

/** What the gate hooks need besides the scenario. */
export interface GateHooksOptions {
  /** The scenario as it will run (validated, profile applied). */
  definition: ScenarioDefinition;
  env: NodeJS.ProcessEnv;
  /** The run's target URL (after --target or --lab): collector URLs derived from the target follow it. */
  targetUrl?: string;
  /** Hosts besides loopback the collectors may reach: the run's --allow-host and target.allowHosts. */
  allowHosts?: readonly string[];
  /** The lab's URLs and fault injection, when the run started one. */
  lab?: { urls: LabUrls & { targetUrl?: string }; faults: FaultTarget };
  failOnAlerts?: boolean;
  /** Skip the HTML report and charts (the verdict, JUnit and Markdown are still written). */
  noReport?: boolean;
  onLog?: (line: string) => void;
  onError?: (err: Error) => void;
}

/** Breaker state value meaning open (src/metrics/catalog.ts: 0 closed, 1 half-open, 2 open). */
const BREAKER_OPEN = 2;

/**
 * For each upstream fault, `breaker_open_delay`: ms from the fault's start to the first sample showing the breaker
 * open (to the sampling interval's resolution); a breaker that never opened gets the whole fault's length.
 */
export function breakerOpenDelays(faults: readonly TimeWindow[], states: ReadonlyArray<{ tMs: number; value: number }>): SampleRecord[] {
  return faults
    .filter((w) => w.name.startsWith('upstream-'))
    .map((w) => {
      const open = states.find((s) => s.tMs >= w.startMs && s.tMs <= w.endMs && s.value === BREAKER_OPEN);
      const value = open ? open.tMs - w.startMs : w.endMs - w.startMs;
      return { tMs: w.startMs, source: 'drill', metric: 'breaker_open_delay', value, labels: { fault: w.name, opened: String(Boolean(open)) } };
    });
}

/** The samples the drill metrics are computed from, kept as they are written; their figures after the load. */
function drillFigures(): { see(s: SampleRecord): void; figures(run: { faults: TimeWindow[]; phases: TimeWindow[] }): SampleRecord[] } {
  const breakerStates: Array<{ tMs: number; value: number }> = [];
  const pgConnections: SampleRecord[] = []; // and the pool's, to tell a leak from a pool that grew
  return {
    see(s) {
      if (s.metric === 'circuit_breaker_state' && s.value !== null) breakerStates.push({ tMs: s.tMs, value: s.value });
      if (s.metric === 'pg_connections' || s.metric === 'db_pool_connections') pgConnections.push(s);
    },
    figures: (run) => [...breakerOpenDelays(run.faults, breakerStates), ...connectionsLeaked(run.faults, run.phases, connectionTotals(pgConnections))],
  };
}

/** Validates the scenario's alert rules before the load: their metric and expression, and phases that name a stage. */
export function checkAlertRules(def: ScenarioDefinition): void {
  const rules = resolveAlertRules(def.alerts, 'invalid alert rules');
  const names = new Set(runPhases(def).map((p) => p.name));
  const issues = rules.flatMap((r) => (r.phases ?? []).filter((p) => !names.has(p)).map((p) => ({ path: `alerts.${r.name}.phases`, message: `no stage is named "${p}" (stages: ${[...names].join(', ') || 'none named'})` })));
  if (issues.length) throw new ConfigError(issues, 'invalid alert rules');
}

/** The hooks plus what they found, for the CLI's final lines. */
export interface GateHooks {
  hooks: RunHooks;
  /** Paths written by finalize. */
  outputs: { reportHtml?: string; verdictStatus?: string };
}

/** Starts the lab's faults with `at` counted from originMs (the load's start); none without faults or a lab. */
function scheduleFaults(faults: PlannedFault[], opts: GateHooksOptions, ctx: RunContext, write: (s: SampleRecord) => void, originMs: number): FaultSchedule | undefined {
  if (!faults.length || !opts.lab) return undefined;
  return startFaultSchedule({
    faults,
    lab: opts.lab.faults,
    clock: ctx.clock,
    originMs,
    windows: ctx.run.faults,
    writeSample: write,
    targetUrl: opts.lab.urls.targetUrl,
    tlsCa: opts.definition.tlsCa,
    onLog: opts.onLog,
    onError: opts.onError,
  });
}

/**
 * Builds the hooks; validates thresholds, collectors (through the host guard) and faults up front, so a mistake is a
 * ConfigError or HostNotAllowedError (exit 104) before any request is sent.
 */
export async function createGateHooks(opts: GateHooksOptions): Promise<GateHooks> {
  // validate (thresholds, collectors + host guard, faults) -> beforeLoad: sampler -> onLoadStart: fault schedule
  //   -> onInterval: live abortOnFail -> afterLoad: stop both -> finalize: verdict, JUnit, Markdown, report, index
  const def = opts.definition;
  const parsed: ParsedThreshold[] = parseThresholds(def.thresholds, 'invalid thresholds', scenarioTagNames(def));
  checkAlertRules(def);
  const guard = { allowHosts: opts.allowHosts, targetUrl: opts.targetUrl ?? def.target.baseUrl, tlsCa: def.tlsCa };
  const collectors = def.collectors ? await resolveCollectors(def.collectors, opts.env, opts.lab?.urls, {}, guard) : [];
  const intervalMs = resolveIntervalMs(def.collectors);
  const faults = planFaults(def.faults, opts.lab !== undefined);
  const outputs: GateHooks['outputs'] = {};
  let sampler: Sampler | undefined;
  let schedule: FaultSchedule | undefined;
  let startFaults: ((originMs: number) => void) | undefined;
  let live: LiveMonitor | undefined;
  let run: { phases: TimeWindow[] } = { phases: [] };
  let newSamples: SampleRecord[] = [];
  const drill = drillFigures();
  const watching = parsed.some((t) => t.abortOnFail);

  const hooks: RunHooks = {
    beforeLoad(ctx) {
      run = ctx.run; // its phases are set once the load starts, so they are read at the first interval
      const write = (s: SampleRecord) => {
        ctx.writeSample(s);
        if (watching) newSamples.push(s);
        drill.see(s);
      };
      if (collectors.length) (sampler = createSampler({ collectors, intervalMs, clock: ctx.clock, write })).start();
      startFaults = (originMs) => (schedule = scheduleFaults(faults, opts, ctx, write, originMs));
    },
    onLoadStart(loadStartMs) {
      startFaults?.(loadStartMs);
    },
    onInterval(records) {
      if (!watching) return;
      live ??= createLiveMonitor(parsed, { phases: run.phases });
      const samples = newSamples;
      newSamples = [];
      const result = live.onInterval(records, samples);
      return result.abort ? abortOf(result.abort, result.entry, result.atMs) : undefined;
    },
    async afterLoad(ctx) {
      await schedule?.stop();
      await sampler?.stop();
      for (const s of drill.figures(ctx.run)) ctx.writeSample(s);
      if (sampler) logCollectorGaps(sampler.stats(), opts.onLog);
    },
    finalize: (ctx) => finalizeRun(ctx, opts, outputs),
  };
  return { hooks, outputs };
}

/** The abort a live threshold asks for, with what it saw (run.json's abortedBy) when it names its entry and moment. */
function abortOf(abort: string, e: VerdictEntry | undefined, atMs: number | undefined): { abort: string; by?: AbortedBy } {
  return e && atMs !== undefined ? { abort, by: { key: e.key, expression: e.expression, atMs, observed: e.observed, unit: e.unit } } : { abort };
}

/** Logs the collectors that left gaps, with their last error. */
function logCollectorGaps(stats: SamplerStats, onLog: GateHooksOptions['onLog']): void {
  if (stats.gaps === 0) return;
  const failing = Object.entries(stats.collectors)
    .filter(([, c]) => c.gaps > 0)
    .map(([name, c]) => `${name} (${c.gaps} gaps${c.lastError ? `: ${c.lastError}` : ''})`);
  onLog?.(`collector gaps: ${failing.join('; ')}`);
}

/** The gate's end of a run, from the run directory read once: verdict, summary and JUnit, the report, summary.md. */
async function finalizeRun(ctx: FinalizeContext, opts: GateHooksOptions, outputs: GateHooks['outputs']): Promise<{ exitCode: number; summary: SummaryJson }> {
  // ctx.data -> checkRunDir (verdict, summary, JUnit) -> report + index -> summary.md (links the charts the report wrote)
  const { verdict, exitCode, summary } = await checkRunDir(ctx.runDir, { failOnAlerts: opts.failOnAlerts, markdown: false, data: ctx.data });
  const data = { ...ctx.data, verdict, summary };
  outputs.verdictStatus = verdict.status;
  if (!opts.noReport) {
    try {
      outputs.reportHtml = (await writeReport(ctx.runDir, { data })).htmlPath;
      if (isRunsFolder(dirname(ctx.runDir))) await writeIndex(dirname(ctx.runDir));
    } catch (err) {
      opts.onError?.(new Error(`the report could not be written: ${(err as Error).message}`));
    }
  }
  await writeMarkdownSummary(ctx.runDir, { env: opts.env, data });
  return { exitCode, summary };
}
