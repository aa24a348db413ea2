// `perfgate import k6`: k6's JSON output (one file per k6 process or pod, gzipped or not) rebuilt into a perfgate run
// directory, so `check`, `report` and `compare` read it as any run. With a scenario its thresholds, alert rules and
// phases apply; `--samples` joins a `perfgate collect` run's server samples on the same clock.

import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, openSync, readSync, closeSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { FORMAT_VERSION, RUN_FILES, type IntervalRecord, type ProfileName, type RunJson, type SampleRecord } from '../results/format.ts';
import { K6Intervals } from '../results/k6-intervals.ts';
import { K6LineError, parseK6Line } from '../results/k6-json.ts';
import { mergeRuns, type MergedRun, type RunShard } from '../results/merge-runs.ts';
import { readRunDir } from '../results/read.ts';
import { gitInfo } from '../results/git-info.ts';
import { redactUrl } from '../redact.ts';
import { isOpenModel, rateAt } from '../scenario/stages.ts';
import { executorsOf, hasScenarioMap, runPeakRatePerS, runPeakVUs, runPhases, runPlannedDurationMs } from '../scenario/scenarios.ts';
import type { ScenarioDefinition } from '../scenario/types.ts';
import { parseThresholds, type ThresholdInput } from '../slo/grammar.ts';
import { PERFGATE_VERSION } from '../version.ts';
import { redactForRunJson, resolveScenario } from './resolve-scenario.ts';
import { writeRunDir } from './merge-run-dirs.ts';

/** Options of importK6. */
export interface ImportK6Options {
  files: string[];
  out: string;
  /** The perfgate scenario the k6 script was exported from: its thresholds, alerts and phases apply. */
  scenario?: string;
  profile?: ProfileName;
  /** A `perfgate collect` run directory whose samples join the run. */
  samples?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
  onLog?: (line: string) => void;
}

/** Bad lines reported at once before giving up on a file. */
const MAX_ISSUES = 10;

/** One file's lines: the text, its 1-based number, and whether a newline ended it (a cut last line has none). */
async function* readLines(path: string): AsyncGenerator<{ text: string; lineNo: number; complete: boolean }> {
  const head = Buffer.alloc(2);
  const fd = openSync(path, 'r');
  const n = readSync(fd, head, 0, 2, 0);
  closeSync(fd);
  let stream: Readable = createReadStream(path);
  if (n === 2 && head[0] === 0x1f && head[1] === 0x8b) stream = stream.pipe(createGunzip());
  stream.setEncoding('utf8');
  let rest = '';
  let lineNo = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const text of lines) yield { text, lineNo: ++lineNo, complete: true };
  }
  if (rest !== '') yield { text: rest, lineNo: ++lineNo, complete: false };
}

/** What one file holds once read. */
interface FileRead {
  acc: K6Intervals;
  thresholds: Record<string, string[]>;
  firstUrl?: string;
}

/** Reads one k6 output file; bad lines are a ConfigError naming the file and each line. */
async function readK6File(path: string, label: string, onLog: (line: string) => void): Promise<FileRead> {
  const acc = new K6Intervals();
  const out: FileRead = { acc, thresholds: {} };
  const issues: ConfigIssue[] = [];
  try {
    for await (const { text, lineNo, complete } of readLines(path)) {
      if (text.trim() === '') continue;
      try {
        const line = parseK6Line(text);
        if (line.kind === 'point') {
          acc.add(line.point);
          if (out.firstUrl === undefined && line.point.metric === 'http_reqs' && line.point.tags.url) out.firstUrl = line.point.tags.url;
        } else if (line.kind === 'metric' && line.thresholds.length) out.thresholds[line.name] = line.thresholds;
      } catch (err) {
        if (!(err instanceof K6LineError)) throw err;
        if (!complete) onLog(`${label}: line ${lineNo} is cut short (the file ends without a newline), skipped`);
        else issues.push({ path: `${label}:${lineNo}`, message: err.message });
        if (issues.length >= MAX_ISSUES) break;
      }
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    // A gzip stream cut short (a pod stopped while writing): what came before the cut is whole.
    if (code === 'Z_BUF_ERROR') onLog(`${label}: the gzip stream ends early (the file is cut short); kept what was read before the cut`);
    else issues.push({ path: label, message: `cannot read it: ${code ?? (err as Error).message}` });
  }
  if (issues.length) throw new ConfigError(issues, `invalid k6 JSON output in ${label}`);
  if (!Number.isFinite(acc.firstMs)) throw new ConfigError([{ path: label, message: 'holds no point of a metric perfgate reads (http_reqs, http_req_duration, iterations, vus, ...)' }], 'invalid k6 JSON output');
  return out;
}

/** k6's own thresholds, on the metrics perfgate knows, for a run imported without a scenario. */
function k6Thresholds(all: Record<string, string[]>, onLog: (line: string) => void): Record<string, ThresholdInput[]> {
  const out: Record<string, ThresholdInput[]> = {};
  for (const [key, list] of Object.entries(all)) {
    try {
      parseThresholds({ [key]: list });
      out[key] = list;
    } catch {
      onLog(`k6 threshold on ${key} (${list.join(', ')}) is not one perfgate can judge; left out`);
    }
  }
  return out;
}

/** The run.json of one imported file, its clock's origin at the second that holds its first point. */
function fileRun(read: FileRead, label: string, def: ScenarioDefinition | undefined, profile: ProfileName, cwd: string, env: Record<string, string | undefined>, onLog: (line: string) => void): RunJson {
  const { acc } = read;
  const t0 = Math.floor(acc.firstMs / acc.intervalMs) * acc.intervalMs;
  const loadStartMs = acc.firstMs - t0;
  const durationMs = Math.ceil(acc.lastMs - t0);
  let origin = '';
  try {
    origin = read.firstUrl ? new URL(read.firstUrl).origin : '';
  } catch {
    /* a url tag that is not a URL: no target */
  }
  const peakRate = def ? runPeakRatePerS(def) : undefined;
  return {
    format: FORMAT_VERSION,
    id: randomUUID(),
    scenario: def?.name ?? 'k6',
    description: `imported from k6 output (${label})`,
    profile,
    startedAt: new Date(t0).toISOString(),
    endedAt: new Date(t0 + durationMs).toISOString(),
    durationMs,
    plannedDurationMs: def ? runPlannedDurationMs(def) : durationMs,
    status: 'completed',
    exitCode: 0,
    target: { baseUrl: redactUrl(def?.target.baseUrl ?? origin) },
    load: def ? { executor: executorsOf(def), peakVUs: runPeakVUs(def), ...(peakRate !== undefined ? { peakRatePerS: peakRate } : {}) } : { executor: 'k6' },
    config: def ? redactForRunJson(def) : { thresholds: k6Thresholds(read.thresholds, onLog) },
    environment: { node: process.version, os: platform(), arch: arch(), cpus: cpus().length, perfgateVersion: PERFGATE_VERSION, ...gitInfo(cwd, env), workers: 1 },
    phases: def ? runPhases(def).map((p) => ({ ...p, startMs: p.startMs + loadStartMs, endMs: p.endMs + loadStartMs })) : [],
    faults: [],
    imported: { tool: 'k6', files: [label], points: { ...acc.points }, ignoredMetrics: { ...acc.ignored } },
  };
}

/** One file as a shard: its run.json and its interval records on its own clock. */
function fileShard(read: FileRead, label: string, def: ScenarioDefinition | undefined, run: RunJson): RunShard {
  const t0 = Date.parse(run.startedAt);
  const loadStartMs = read.acc.firstMs - t0;
  // The target rate is read off the one executor of a single `load`; the phases off the whole run's timeline.
  const load = def && !hasScenarioMap(def) ? def.load : undefined;
  const phases = def ? runPhases(def) : [];
  const intervals = read.acc.records(t0, {
    phaseAt: def ? (tMs) => phases.find((p) => tMs - loadStartMs >= p.startMs && tMs - loadStartMs < p.endMs)?.name : undefined,
    targetRatePerSAt: load && isOpenModel(load) ? (tMs) => rateAt(load, Math.max(0, tMs - loadStartMs)) : undefined,
  });
  return { source: label, run, intervals, samples: [] };
}

/** Samples of a `perfgate collect` run directory, placed on the imported run's clock (before its start dropped). */
async function collectSamples(dir: string, t0EpochMs: number, onLog: (line: string) => void): Promise<SampleRecord[]> {
  const data = await readRunDir(resolve(dir));
  const offset = Date.parse(data.run.startedAt) - t0EpochMs;
  const out = data.samples.map((s) => ({ ...s, tMs: s.tMs + offset })).filter((s) => s.tMs >= 0);
  if (out.length < data.samples.length) onLog(`${data.samples.length - out.length} samples of ${dir} are from before the first k6 point; left out`);
  return out;
}

/** Imports k6 output files into a new run directory; resolves to its path and run.json. */
export async function importK6(opts: ImportK6Options): Promise<{ dir: string; run: RunJson; intervals: IntervalRecord[] }> {
  // scenario (optional) -> each file: lines -> points -> intervals (one shard per file) -> merge the shards
  //   -> collect samples on the clock -> run directory (run.json, intervals, samples, summary.json)
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const onLog = opts.onLog ?? (() => {});
  const profile = opts.profile ?? 'full';
  if (opts.files.length === 0) throw new ConfigError([{ path: 'files', message: 'name one k6 JSON output file at least' }], 'invalid arguments');
  const missing = opts.files.filter((f) => !existsSync(f));
  if (missing.length) throw new ConfigError(missing.map((f) => ({ path: f, message: 'no such file' })), 'invalid arguments');
  if (existsSync(join(resolve(opts.out), RUN_FILES.run))) throw new ConfigError([{ path: '--out', message: `"${opts.out}" is a run directory already` }], 'invalid arguments');
  const def = opts.scenario ? (await resolveScenario(opts.scenario, { profile, cwd, env })).definition : undefined;
  const shards: RunShard[] = [];
  for (const file of opts.files) {
    const label = opts.files.filter((f) => basename(f) === basename(file)).length > 1 ? file : basename(file);
    const read = await readK6File(file, label, onLog);
    shards.push(fileShard(read, label, def, fileRun(read, label, def, profile, cwd, env, onLog)));
  }
  const merged: MergedRun = shards.length === 1 ? { ...shards[0]!, intervals: [...shards[0]!.intervals], samples: [] } : mergeRuns(shards, { id: randomUUID() });
  if (def && shards.length > 1) merged.run.load = shards[0]!.run.load;
  if (shards.length > 1) merged.run.description = `imported from k6 output (${shards.length} files)`;
  if (opts.samples) merged.samples = merged.samples.concat(await collectSamples(opts.samples, Date.parse(merged.run.startedAt), onLog));
  const dir = writeRunDir(opts.out, merged);
  return { dir, run: merged.run, intervals: merged.intervals };
}
