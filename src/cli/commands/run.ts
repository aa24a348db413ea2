// `perfgate run <scenario|file>`: parses the flags, runs the scenario, prints progress, maps the outcome to the exit code.

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, EXIT, type ConfigIssue } from '../../errors.ts';
import { noOverrides, parseOverrideFlags, type LoadOverrides } from '../../scenario/overrides.ts';
import type { ProfileName, SummaryJson, VerdictJson } from '../../results/format.ts';
import { terminalSummary } from '../../report/terminal-summary.ts';
import { statusWord } from '../../slo/verdict.ts';
import { RUN_FILES } from '../../results/format.ts';
import { runWithGate, type GateRunOutcome } from '../../run/gate-run.ts';
import { attachProgress } from '../../run/progress.ts';
import { compareGate } from '../../run/compare-gate.ts';
import { addCompareOptions, parseCompareFlags, type CompareFlags } from './compare.ts';
import { listScenarios } from '../../scenario/load.ts';
import { clinicBin } from '../../profile/launch.ts';
import { attachHarnessMetrics, startHarnessMetrics, type HarnessMetrics } from '../../run/harness-metrics.ts';
import { addSharedRunOptions, collect, type SharedRunFlags } from './run-options.ts';

/** A --metrics-port value: a whole number from 0 (a free port) to 65535. */
function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new ConfigError([{ path: '--metrics-port', message: `must be a port number from 0 to 65535, got ${JSON.stringify(v)}` }], 'invalid arguments');
  return n;
}
import { parseProfiler } from '../../profile/tools.ts';
import { ExecutionTuple } from '../../engine/execution-segment.ts';
import { parseRfc3339Ms } from '../../results/k6-json.ts';
import type { ProfilerChoice } from '../../profile/launch.ts';

/** Options of `perfgate run`, as commander parses them: the shared ones and run's own. */
interface RunFlags extends SharedRunFlags {
  metricsPort?: string;
  lab?: boolean;
  labSeed?: string;
  /** The lab's Prometheus for this run (as the scenario's lab.prometheus). */
  prometheus?: boolean;
  /** Baseline run directories or folders: compare the run with them at the end. */
  baseline: string[];
  list?: boolean;
  /** Profile the lab's target under this Clinic.js tool. */
  clinic?: string;
  executionSegment?: string;
  executionSegmentSequence?: string;
  startAt?: string;
}

/** `perfgate run --list`: every scenario a bare name reaches, the project's first, each with where it comes from. */
async function printScenarioList(cwd: string): Promise<void> {
  const lines = (await listScenarios(cwd)).map((s) => `${s.name.padEnd(20)} ${s.origin.padEnd(8)} ${s.path}`);
  process.stdout.write(lines.length ? `${lines.join('\n')}\n` : 'no scenarios found\n');
}

/** Checks the flags; every problem at once. */
export function parseRunFlags(flags: RunFlags): { profile: ProfileName; workers: number; clinic?: ProfilerChoice; overrides?: LoadOverrides; tlsCa?: string; startAtEpochMs?: number } {
  const issues: ConfigIssue[] = [];
  let overrides: LoadOverrides | undefined;
  try {
    overrides = parseOverrideFlags(flags);
  } catch (err) {
    if (err instanceof ConfigError) issues.push(...err.issues);
    else throw err;
  }
  const startAtEpochMs = flags.startAt === undefined ? undefined : parseRfc3339Ms(flags.startAt);
  if (startAtEpochMs === null) issues.push({ path: '--start-at', message: `must be an RFC 3339 time such as 2026-01-02T15:04:05Z (got "${flags.startAt}")` });
  if (!['full', 'ci', 'smoke'].includes(flags.profile)) issues.push({ path: '--profile', message: `must be full, ci or smoke (got "${flags.profile}")` });
  const workers = Number(flags.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) issues.push({ path: '--workers', message: `must be an integer from 1 to 64 (got "${flags.workers}")` });
  if (flags.target !== undefined) {
    try {
      const u = new URL(flags.target);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') issues.push({ path: '--target', message: `must be an http:// or https:// URL (got "${u.protocol}")` });
    } catch {
      issues.push({ path: '--target', message: `is not a URL: "${flags.target}"` });
    }
  }
  if (flags.labSeed !== undefined && !['small', 'default'].includes(flags.labSeed)) {
    issues.push({ path: '--lab-seed', message: `must be small or default (got "${flags.labSeed}")` });
  }
  if (flags.labSeed !== undefined && !flags.lab) issues.push({ path: '--lab-seed', message: 'only applies with --lab' });
  if (flags.lab && flags.target !== undefined) issues.push({ path: '--target', message: 'cannot be combined with --lab (the lab provides the target)' });
  if (flags.clinic !== undefined && !flags.lab) issues.push({ path: '--clinic', message: 'profiles the lab\'s target, so it needs --lab (for your own service: perfgate clinic <tool> <scenario> -- <command>)' });
  if (flags.nodeProfiler && flags.clinic === undefined) issues.push({ path: '--node-profiler', message: 'only applies with --clinic flame or --clinic heapprofiler' });
  let tlsCa: string | undefined;
  if (flags.caFile !== undefined) {
    try {
      tlsCa = readFileSync(flags.caFile, 'utf8');
      if (!tlsCa.includes('-----BEGIN CERTIFICATE-----')) issues.push({ path: '--ca-file', message: `${resolve(flags.caFile)} holds no PEM certificate` });
    } catch (err) {
      issues.push({ path: '--ca-file', message: `${resolve(flags.caFile)} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
    }
  }
  if (issues.length) throw new ConfigError(issues, 'invalid arguments');
  const clinic = flags.clinic === undefined ? undefined : parseProfiler(flags.clinic, { field: '--clinic', nodeProfiler: flags.nodeProfiler, clinicInstalled: clinicBin() !== undefined });
  if (flags.executionSegment !== undefined || flags.executionSegmentSequence !== undefined) ExecutionTuple.fromFlags(flags.executionSegment, flags.executionSegmentSequence);
  return { profile: flags.profile as ProfileName, workers, ...(clinic ? { clinic } : {}), ...(tlsCa ? { tlsCa } : {}), ...(overrides && !noOverrides(overrides) ? { overrides } : {}), ...(startAtEpochMs != null ? { startAtEpochMs } : {}) };
}

/** The k6-style end-of-run table of a run directory, or undefined when its summary is missing (a run that never started). */
function readTerminalSummary(runDir: string): string | undefined {
  try {
    const summary = JSON.parse(readFileSync(join(runDir, RUN_FILES.summary), 'utf8')) as SummaryJson;
    let verdict: VerdictJson | undefined;
    try {
      verdict = JSON.parse(readFileSync(join(runDir, RUN_FILES.verdict), 'utf8')) as VerdictJson;
    } catch {
      verdict = undefined;
    }
    return terminalSummary(summary, verdict);
  } catch {
    return undefined;
  }
}

/** One line from verdict.json: the status in capitals and the reason, or undefined when there is none. */
function readVerdictLine(runDir: string): string | undefined {
  try {
    const v = JSON.parse(readFileSync(join(runDir, RUN_FILES.verdict), 'utf8')) as VerdictJson;
    return `${statusWord(v.status)}${v.reason ? `: ${v.reason}` : ''}`;
  } catch {
    return undefined;
  }
}

/** Registers `perfgate run`. */
export function registerRun(program: Command): void {
  const cmd = addCompareOptions(program.command('run'))
    .description('run a scenario and write its run directory')
    .argument('[scenario]', 'a scenario name (scenarios/<name>, yours first, then the bundled ones) or a .ts/.mts/.cts/.js/.mjs/.cjs/.json file');
  addSharedRunOptions(cmd, {
    target: 'base URL of the target (overrides target.baseUrl)',
    nodeProfiler: 'with --clinic flame or heapprofiler: collect with Node\'s own --cpu-prof / --heap-prof instead of Clinic',
  })
    .option('--list', 'list the scenarios a name can reach, marked project or bundled, and exit')
    .option('--lab', 'run against the lab: the one `perfgate lab up` left running, or one started for this run')
    .option('--lab-seed <size>', 'seed size of a lab started for this run: small or default')
    .option('--prometheus', "with --lab: the lab's Prometheus scrapes the target and the harness with the scenario's rules; the report shows the alerts that fired in it")
    .option('--metrics-port <port>', "serve the harness' own metrics at http://127.0.0.1:<port>/metrics while the run goes (0: a free port)")
    .option('--baseline <dir>', 'compare the run with these baseline runs or folders of them at the end (repeatable; exit 99 on a regression)', collect, [])
    .option('--clinic <tool>', 'profile the lab\'s target under Clinic.js for the whole load: doctor, flame, bubbleprof or heapprofiler (needs --lab; the run directory gets profile/)')
    .option('--execution-segment <segment>', "this process's share of the schedule, as in k6: '1/3:2/3', '0.5', '50%:100%'")
    .option('--execution-segment-sequence <points>', "the segments of every process, as in k6: '0,1/3,2/3,1' (VUs and arrivals striped across them)")
    .option('--start-at <time>', 'start the load at this RFC 3339 time, on a shared interval grid (N processes started together)')
    .action((scenario: string | undefined, flags: RunFlags & CompareFlags) => runAction(scenario, flags));
}

/** Aborts `ac` on the first SIGINT or SIGTERM (the run writes what it measured) and exits on the second; returns the un-registration. */
function stopOnSignals(ac: AbortController): () => void {
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`\nperfgate: ${sig}: stopping the load and writing what was measured (again to exit at once)\n`);
      ac.abort();
    } else process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** Starts the gated run the flags describe, with its progress and log lines on stderr unless --quiet. */
function startRun(scenario: string, flags: RunFlags, parsed: ReturnType<typeof parseRunFlags>, signal: AbortSignal, harness?: HarnessMetrics): ReturnType<typeof runWithGate> {
  const { profile, workers, clinic, tlsCa, overrides, startAtEpochMs } = parsed;
  let plannedMs = 0;
  const handle = runWithGate({
    scenario,
    profile,
    ...(overrides ? { overrides } : {}),
    targetUrl: flags.target,
    out: flags.out,
    workers,
    executionSegment: flags.executionSegment,
    executionSegmentSequence: flags.executionSegmentSequence,
    startAtEpochMs,
    allowHosts: flags.allowHost,
    ...(tlsCa ? { tlsCa } : {}),
    signal,
    lab: flags.lab,
    ...(flags.prometheus ? { prometheus: true } : {}),
    ...(harness ? { harnessMetrics: harness } : {}),
    labSeed: flags.labSeed as 'small' | 'default' | undefined,
    failOnAlerts: flags.failOnAlerts,
    keepBodies: flags.keepBodies,
    noReport: !flags.report,
    ...(clinic ? { clinic } : {}),
    onLog: (line) => {
      if (!flags.quiet) process.stderr.write(`perfgate: ${line}\n`);
    },
  });
  handle.on('start', ({ run, runDir }) => {
    plannedMs = run.plannedDurationMs;
    if (!flags.quiet) process.stderr.write(`perfgate: running ${run.scenario} (${run.profile}) against ${run.target.baseUrl}; writing ${runDir}\n`);
  });
  handle.on('error', (err) => {
    if (!flags.quiet) process.stderr.write(`perfgate: ${err.message}\n`);
  });
  if (!flags.quiet) attachProgress(handle, process.stderr, () => plannedMs);
  if (harness) {
    attachHarnessMetrics(handle, harness);
    if (!flags.quiet) process.stderr.write(`perfgate: harness metrics at ${harness.url}\n`);
  }
  return handle;
}

/** Prints the outcome: summary.json with --json, else the status, the verdict line and the report's path. */
export function printOutcome(outcome: GateRunOutcome, flags: Pick<SharedRunFlags, 'json' | 'quiet'>): void {
  if (flags.json) process.stdout.write(readFileSync(join(outcome.runDir, RUN_FILES.summary), 'utf8'));
  if (flags.quiet) return;
  const table = readTerminalSummary(outcome.runDir);
  if (table) process.stderr.write(table);
  // The verdict line carries the reason; the run line says it only when there is no verdict to say it.
  const verdictLine = readVerdictLine(outcome.runDir);
  const reason = outcome.run.statusReason && !verdictLine ? `: ${outcome.run.statusReason}` : '';
  process.stderr.write(`perfgate: run ${outcome.run.status}${reason} (exit ${outcome.exitCode}); results in ${outcome.runDir}\n`);
  if (verdictLine) process.stderr.write(`perfgate: ${verdictLine}\n`);
  if (outcome.reportHtml) process.stderr.write(`perfgate: report: ${outcome.reportHtml}\n`);
}

/**
 * `perfgate run`'s action.
 * flags -> signals -> [--metrics-port: the harness' /metrics] -> gated run (progress) -> outcome printed, exit code -> [--baseline: the regression gate, whose
 * exit code counts only when the run itself completed and passed]
 */
async function runAction(scenario: string | undefined, flags: RunFlags & CompareFlags): Promise<void> {
  if (flags.list) return printScenarioList(process.cwd());
  if (!scenario) throw new ConfigError([{ path: 'scenario', message: 'name a scenario or a file (perfgate run --list shows them)' }], 'invalid arguments');
  const parsed = parseRunFlags(flags);
  const compareOpts = flags.baseline.length ? parseCompareFlags(flags) : undefined;
  const ac = new AbortController();
  const harness = flags.metricsPort !== undefined ? await startHarnessMetrics(parsePort(flags.metricsPort)) : undefined;
  const release = stopOnSignals(ac);
  try {
    const outcome: GateRunOutcome = await startRun(scenario, flags, parsed, ac.signal, harness);
    printOutcome(outcome, flags);
    process.exitCode = outcome.exitCode;
    if (compareOpts && outcome.run.status === 'completed') {
      const { result, markdown } = await compareGate({ baselines: flags.baseline, candidate: outcome.runDir, ...compareOpts, env: process.env });
      if (!flags.quiet) process.stderr.write(`${markdown}\n`);
      if (outcome.exitCode === EXIT.ok) process.exitCode = result.exitCode;
    } else if (compareOpts && !flags.quiet) {
      process.stderr.write(`perfgate: run ${outcome.run.status}: not compared with the baselines\n`);
    }
  } finally {
    await harness?.close();
    release();
  }
}
