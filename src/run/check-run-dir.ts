// The SLO gate over a run directory, its I/O shell: reads the run, judges it (src/slo/evaluate-run.ts), writes verdict.json, summary.json, junit.xml and summary.md atomically (into the run, or a what-if's folder),
// and appends the Markdown to $GITHUB_STEP_SUMMARY when it is set.

import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { renderJunit } from '../report/junit.ts';
import { renderMarkdown } from '../report/markdown.ts';
import type { RunData, RunJson, SampleRecord, SummaryJson, VerdictJson } from '../results/format.ts';
import { RUN_FILES } from '../results/format.ts';
import { readJsonFile, readRecords, readRunDir } from '../results/read.ts';
import { writeFileAtomic } from '../results/atomic-write.ts';
import { collectorGaps } from '../report/collector-gaps.ts';
import { recoveryViews } from '../report/recovery-section.ts';
import { RunDirError } from '../errors.ts';
import { PROFILE_DIR, PROFILE_SUMMARY_FILE, type ProfileSummary } from '../profile/types.ts';
import { PROMETHEUS_ALERTS_FILE, type PrometheusAlertsJson } from '../slo/prometheus-alerts.ts';
import { evaluateRunData, runThresholds, type GateOptions } from '../slo/evaluate-run.ts';

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
  /** The run directory as already read (a run's finalise reads it once); default: read it. */
  data?: RunData;
}

/**
 * Writes summary.md from the run directory's run.json and verdict.json, linking the charts present now, and appends
 * it to $GITHUB_STEP_SUMMARY when `env` sets it. Call it after the report when the charts should be linked.
 */
export async function writeMarkdownSummary(dir: string, opts: { env?: Record<string, string | undefined>; outDir?: string; data?: RunData } = {}): Promise<string> {
  const out = opts.outDir ?? dir;
  const run = opts.data?.run ?? (await readJsonFile<RunJson>(join(dir, RUN_FILES.run)));
  const verdict = opts.data?.verdict ?? (await readJsonFile<VerdictJson>(join(out, RUN_FILES.verdict)));
  if (!run || !verdict) throw new RunDirError(`${out}: needs ${RUN_FILES.run} and ${RUN_FILES.verdict} to write ${RUN_FILES.markdown}`);
  const up = relative(out, dir).split(sep).join('/');
  const charts = (await listCharts(dir)).map((c) => (up ? `${up}/${c}` : c));
  const samples: SampleRecord[] = opts.data?.samples ?? [];
  if (!opts.data) for await (const s of readRecords<SampleRecord>(join(dir, RUN_FILES.samples))) samples.push(s);
  const profile = opts.data?.profile ?? (await readJsonFile<ProfileSummary>(join(dir, PROFILE_DIR, PROFILE_SUMMARY_FILE)).catch(() => undefined));
  const prometheus = opts.data ? opts.data.prometheus : await readJsonFile<PrometheusAlertsJson>(join(dir, PROMETHEUS_ALERTS_FILE)).catch(() => undefined);
  const markdown = renderMarkdown(run, verdict, { charts, gaps: collectorGaps(samples), profile, prometheus, recovery: recoveryViews(samples) });
  writeFileAtomic(join(out, RUN_FILES.markdown), markdown);
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
  const data = opts.data ?? (await readRunDir(dir));
  const { verdict, summary } = evaluateRunData(data, opts);
  const out = opts.outDir ?? dir;
  if (out !== dir) {
    await mkdir(out, { recursive: true });
    const judged = opts.thresholds ?? runThresholds(data.run) ?? {};
    writeFileAtomic(join(out, 'thresholds.json'), `${JSON.stringify({ run: relative(out, dir) || '.', failOnAlerts: opts.failOnAlerts === true, thresholds: judged }, null, 2)}\n`);
  }
  writeFileAtomic(join(out, RUN_FILES.verdict), `${JSON.stringify(verdict, null, 2)}\n`);
  writeFileAtomic(join(out, RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileAtomic(join(out, RUN_FILES.junit), renderJunit(data.run, verdict, { failOnAlerts: opts.failOnAlerts, recovery: recoveryViews(data.samples) }));
  if (opts.markdown !== false) await writeMarkdownSummary(dir, { env: opts.env, outDir: out });
  return { verdict, exitCode: verdict.exitCode, summary };
}
