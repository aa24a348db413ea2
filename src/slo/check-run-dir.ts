// The SLO gate over a run directory: the pure core (evaluateRunData) and the I/O shell (checkRunDir) that reads the
// run, writes verdict.json, summary.json, junit.xml and summary.md atomically (into the run, or a what-if's folder),
// and appends the Markdown to $GITHUB_STEP_SUMMARY when it is set.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { renderJunit } from '../report/junit.ts';
import { renderMarkdown } from '../report/markdown.ts';
import type { IntervalRecord, RunJson, SampleRecord, SummaryJson, VerdictJson } from '../results/format.ts';
import { RUN_FILES } from '../results/format.ts';
import { readJsonFile, readRecords, readRunDir } from '../results/read.ts';
import { collectorGaps } from '../report/collector-gaps.ts';
import { RunDirError } from '../errors.ts';
import { buildSummary } from '../results/summary.ts';
import { evaluateAlerts } from './alerts.ts';
import { resolveAlertRules, type AlertOverrides } from './alert-rules.ts';
import { evaluateThresholds } from './evaluate.ts';
import { parseThresholds, type ParsedThreshold, type ThresholdInput } from './grammar.ts';
import { buildVerdict } from './verdict.ts';
import { findCapacity } from './capacity.ts';
import { PROFILE_DIR, PROFILE_SUMMARY_FILE, type ProfileSummary } from '../profile/types.ts';

/** Options of the gate: thresholds replacing the run's own, and whether fired alerts fail the run. */
export interface GateOptions {
  thresholds?: Record<string, ThresholdInput[]>;
  failOnAlerts?: boolean;
}

/** Everything the gate computes from a run's records. */
export interface GateResult {
  parsed: ParsedThreshold[];
  verdict: VerdictJson;
  summary: SummaryJson;
}

/** The thresholds stored in run.json's config (the scenario as run), or undefined. */
export function runThresholds(run: RunJson): Record<string, ThresholdInput[]> | undefined {
  const config = run.config as { thresholds?: Record<string, ThresholdInput[]> } | null | undefined;
  return config && typeof config === 'object' ? config.thresholds : undefined;
}

/** The scenario's alert-rule overrides stored in run.json's config, or undefined. */
export function runAlertOverrides(run: RunJson): AlertOverrides | undefined {
  const config = run.config as { alerts?: AlertOverrides } | null | undefined;
  return config && typeof config === 'object' ? config.alerts : undefined;
}

/** The capacity SLOs stored in run.json's config (ramps whose breaking point is searched), or undefined. */
export function runCapacitySlos(run: RunJson): Record<string, ThresholdInput[]> | undefined {
  const config = run.config as { capacity?: Record<string, ThresholdInput[]> } | null | undefined;
  return config && typeof config === 'object' ? config.capacity : undefined;
}

/** Every request of a run (HTTP and SQL steps) and how many failed. */
export function requestTotals(intervals: readonly IntervalRecord[]): { total: number; failed: number } {
  let total = 0;
  let failed = 0;
  for (const r of intervals) {
    if (r.type !== 'req') continue;
    total += r.count;
    failed += r.failed;
  }
  return { total, failed };
}

/** Pure core: parses the thresholds (the override or run.json's), evaluates them and the alerts, builds verdict and summary. */
export function evaluateRunData(data: { run: RunJson; intervals: IntervalRecord[]; samples: SampleRecord[] }, opts: GateOptions = {}): GateResult {
  // thresholds -> parse -> evaluate + alerts (+ capacity of a ramp) -> verdict -> summary (thresholds ok from the verdict)
  const parsed = parseThresholds(opts.thresholds ?? runThresholds(data.run), opts.thresholds ? 'invalid thresholds file' : 'invalid thresholds in run.json');
  const entries = evaluateThresholds(data, parsed, { abortedBy: data.run.abortedBy });
  const alerts = evaluateAlerts(data, { rules: resolveAlertRules(runAlertOverrides(data.run), 'invalid alert rules in run.json') });
  const capacitySlos = runCapacitySlos(data.run);
  const capacity = capacitySlos ? findCapacity(data, parseThresholds(capacitySlos, 'invalid capacity SLOs in run.json')) : undefined;
  const verdict = buildVerdict(data.run, entries, alerts, { failOnAlerts: opts.failOnAlerts, capacity, requests: requestTotals(data.intervals) });
  return { parsed, verdict, summary: buildSummary(data, verdict) };
}

/** Writes a file atomically: a temporary name in the same folder, then a rename. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The chart files present in a run directory, as relative paths (`charts/latency.svg`), sorted. */
export async function listCharts(dir: string): Promise<string[]> {
  const chartsDir = join(dir, RUN_FILES.charts);
  if (!existsSync(chartsDir)) return [];
  return (await readdir(chartsDir)).filter((f) => f.endsWith('.svg')).sort().map((f) => `${RUN_FILES.charts}/${f}`);
}

/** Options of checkRunDir: the gate's, the environment (GITHUB_STEP_SUMMARY), whether to write summary.md, and where. */
export interface CheckRunDirOptions extends GateOptions {
  env?: Record<string, string | undefined>;
  /** false: leave summary.md (and $GITHUB_STEP_SUMMARY) to writeMarkdownSummary, once the charts exist. Default true. */
  markdown?: boolean;
  /** Where the outputs go (a what-if's folder); default the run directory itself. */
  outDir?: string;
}

/**
 * Writes summary.md from the run directory's run.json and verdict.json, linking the charts present now, and appends
 * it to $GITHUB_STEP_SUMMARY when `env` sets it. Call it after the report when the charts should be linked.
 */
export async function writeMarkdownSummary(dir: string, opts: { env?: Record<string, string | undefined>; outDir?: string } = {}): Promise<string> {
  const out = opts.outDir ?? dir;
  const run = await readJsonFile<RunJson>(join(dir, RUN_FILES.run));
  const verdict = await readJsonFile<VerdictJson>(join(out, RUN_FILES.verdict));
  if (!run || !verdict) throw new RunDirError(`${out}: needs ${RUN_FILES.run} and ${RUN_FILES.verdict} to write ${RUN_FILES.markdown}`);
  const up = relative(out, dir).split(sep).join('/');
  const charts = (await listCharts(dir)).map((c) => (up ? `${up}/${c}` : c));
  const samples: SampleRecord[] = [];
  for await (const s of readRecords<SampleRecord>(join(dir, RUN_FILES.samples))) samples.push(s);
  const profile = await readJsonFile<ProfileSummary>(join(dir, PROFILE_DIR, PROFILE_SUMMARY_FILE)).catch(() => undefined);
  const markdown = renderMarkdown(run, verdict, { charts, gaps: collectorGaps(samples), profile });
  await writeFileAtomic(join(out, RUN_FILES.markdown), markdown);
  const stepSummary = opts.env?.GITHUB_STEP_SUMMARY;
  if (stepSummary) await appendFile(stepSummary, `${markdown}\n`);
  return markdown;
}

/**
 * Checks a run directory: evaluates, writes verdict.json, summary.json, junit.xml and summary.md (to opts.outDir, else
 * the run directory); returns the verdict. A what-if folder also gets thresholds.json, the thresholds it judged.
 */
export async function checkRunDir(dir: string, opts: CheckRunDirOptions = {}): Promise<{ verdict: VerdictJson; exitCode: number; summary: SummaryJson }> {
  // read run dir -> evaluateRunData -> atomic writes (verdict, summary, junit) -> summary.md + $GITHUB_STEP_SUMMARY
  const data = await readRunDir(dir);
  const { verdict, summary } = evaluateRunData(data, opts);
  const out = opts.outDir ?? dir;
  if (out !== dir) {
    await mkdir(out, { recursive: true });
    const judged = opts.thresholds ?? runThresholds(data.run) ?? {};
    await writeFileAtomic(join(out, 'thresholds.json'), `${JSON.stringify({ run: relative(out, dir) || '.', failOnAlerts: opts.failOnAlerts === true, thresholds: judged }, null, 2)}\n`);
  }
  await writeFileAtomic(join(out, RUN_FILES.verdict), `${JSON.stringify(verdict, null, 2)}\n`);
  await writeFileAtomic(join(out, RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomic(join(out, RUN_FILES.junit), renderJunit(data.run, verdict, { failOnAlerts: opts.failOnAlerts }));
  if (opts.markdown !== false) await writeMarkdownSummary(dir, { env: opts.env, outDir: out });
  return { verdict, exitCode: verdict.exitCode, summary };
}
