// The report's I/O shell: reads a run directory, writes report.html and charts/*.svg atomically, rebuilds the
// reports index, and optionally opens the report in a browser.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import type { RunData, RunJson, SummaryJson, VerdictJson } from '../results/format.ts';
import { RUN_FILES } from '../results/format.ts';
import { readJsonFile, readRecords, readRunMeta, type RunMeta } from '../results/read.ts';
import { writeFileAtomic } from '../results/atomic-write.ts';
import type { IntervalRecord } from '../results/format.ts';
import { buildReport, redactRecord } from '../report/build-report.ts';
import { bannerStatus } from '../report/model.ts';
import { renderSvg } from '../report/render-svg.ts';
import { CHART_IDS } from '../report/specs/index.ts';
import { ClientSeriesBuilder, type ClientSeries } from '../report/series.ts';
import { renderIndexHtml, trendSpecs, type IndexEntry } from '../report/index-page.ts';
import type { CompareJson } from '../compare/types.ts';
import { redactDeep, redactText } from '../redact.ts';

/** What writeReport wrote. */
export interface WrittenReport {
  htmlPath: string;
  chartPaths: string[];
  /** Charts left out for missing data, with their note. */
  omitted: Array<{ id: string; note: string }>;
  opened?: boolean;
}

/** Builds and writes report.html and charts/*.svg of a run directory (or of `data`, read already); `open` shows it in a browser. */
export async function writeReport(runDir: string, options: { open?: boolean; data?: RunData } = {}): Promise<WrittenReport> {
  // run dir -> records but intervals + intervals streamed into the client series (unless the caller read them all)
  //   -> buildReport (model, specs, SVG, page) -> charts/*.svg + report.html (atomic) -> open
  const dir = resolve(runDir);
  const compare = await readJsonFile<CompareJson>(join(dir, 'compare.json'));
  const built = await buildReport(options.data ? { ...options.data, compare } : { ...(await readStreamed(dir)), compare });
  const chartsDir = join(dir, RUN_FILES.charts);
  await mkdir(chartsDir, { recursive: true });
  const chartPaths: string[] = [];
  for (const c of built.charts) {
    const path = join(chartsDir, `${c.id}.svg`);
    writeFileAtomic(path, c.svg);
    chartPaths.push(path);
  }
  for (const o of built.omitted) await rm(join(chartsDir, `${o.id}.svg`), { force: true });
  const htmlPath = join(dir, RUN_FILES.report);
  writeFileAtomic(htmlPath, built.html);
  const out: WrittenReport = { htmlPath, chartPaths, omitted: built.omitted };
  if (options.open) out.opened = openInBrowser(htmlPath);
  return out;
}

/** A run directory read for its report: the interval records streamed, one at a time, into the client series. */
async function readStreamed(dir: string): Promise<RunMeta & { client: ClientSeries }> {
  const meta = await readRunMeta(dir);
  return { ...meta, client: await streamClientSeries(dir, meta.run.durationMs ?? 0, redactRecord) };
}

/** The client series of a run directory's intervals.ndjson, read a record at a time (`map` applied to each). */
async function streamClientSeries(dir: string, durationHintMs: number, map: (r: IntervalRecord) => IntervalRecord = (r) => r): Promise<ClientSeries> {
  const builder = new ClientSeriesBuilder(durationHintMs);
  for await (const r of readRecords<IntervalRecord>(join(dir, RUN_FILES.intervals))) builder.add(map(r));
  return builder.finish();
}

/** The first of the given commands found on PATH, or undefined. */
function findOnPath(names: string[]): string | undefined {
  for (const name of names) {
    for (const d of (process.env.PATH ?? '').split(delimiter)) {
      if (d && existsSync(join(d, name))) return join(d, name);
    }
  }
  return undefined;
}

/** Opens a file with xdg-open or open, detached; never throws. True when an opener was started. */
export function openInBrowser(path: string): boolean {
  const opener = findOnPath(process.platform === 'darwin' ? ['open'] : ['xdg-open', 'open']);
  if (!opener) return false;
  try {
    const child = spawn(opener, [path], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/** Key figures of a run for the index: from summary.json, else computed from intervals.ndjson. */
async function indexEntry(reportsDir: string, name: string): Promise<IndexEntry | undefined> {
  const dir = join(reportsDir, name);
  const run = await readJsonFile<RunJson>(join(dir, RUN_FILES.run)).catch(() => undefined);
  if (!run || run.format !== 1) return undefined;
  const verdict = await readJsonFile<VerdictJson>(join(dir, RUN_FILES.verdict)).catch(() => undefined);
  const summary = await readJsonFile<SummaryJson>(join(dir, RUN_FILES.summary)).catch(() => undefined);
  const dur = summary?.metrics?.http_req_duration?.values;
  const failed = summary?.metrics?.http_req_failed?.values;
  const reqs = summary?.metrics?.http_reqs?.values;
  let p95Ms: number | null = dur?.['p(95)'] ?? null;
  let errorRate: number | null = failed?.rate ?? null;
  let reqPerS: number | null = reqs?.rate ?? null;
  if (p95Ms === null || errorRate === null || reqPerS === null) {
    // a corrupt intervals file leaves the figures empty
    const t = (await streamClientSeries(dir, run.durationMs ?? 0).catch(() => undefined))?.totals;
    if (t && t.requests > 0) {
      p95Ms ??= t.p95Ms;
      errorRate ??= t.errorRate;
      reqPerS ??= t.reqPerS;
    }
  }
  const safe = redactDeep({ id: run.id, scenario: run.scenario, profile: run.profile, startedAt: run.startedAt });
  return {
    dir: name,
    id: String(safe.id ?? name),
    scenario: String(safe.scenario ?? ''),
    profile: String(safe.profile ?? ''),
    startedAt: String(safe.startedAt ?? ''),
    status: bannerStatus(run, verdict),
    p95Ms,
    errorRate,
    reqPerS,
    hasReport: existsSync(join(dir, RUN_FILES.report)),
  };
}

/** Writes reports/index.html: every run directory in the folder, newest first, with trend charts. */
export async function writeIndex(reportsDir: string): Promise<string> {
  // folder -> run dirs (run.json present) -> key figures -> trend specs -> SVG -> index.html (atomic)
  const dir = resolve(reportsDir);
  const entries: IndexEntry[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const e = await indexEntry(dir, d.name);
    if (e) entries.push(e);
  }
  const trends: Array<{ id: string; title: string; svg: string }> = [];
  for (const t of trendSpecs(entries)) trends.push({ id: t.id, title: t.title, svg: redactText(await renderSvg(t.spec)) });
  const path = join(dir, 'index.html');
  writeFileAtomic(path, redactText(renderIndexHtml(entries, trends)));
  return path;
}

/** True when a path is a directory. */
export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/** Chart file names writeReport may write, for documentation and tests. */
export const CHART_FILES = CHART_IDS.map((id) => `${id}.svg`);
