// Reads a run directory back into plain records; tolerant of a truncated last line (an interrupted run).

import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunDirError } from '../errors.ts';
import type { IntervalRecord, RunData, RunJson, SampleRecord, SummaryJson, VerdictJson } from './format.ts';
import { FORMAT_VERSION, RUN_FILES } from './format.ts';
import { PROFILE_DIR, PROFILE_SUMMARY_FILE, type ProfileSummary } from '../profile/types.ts';
import { PROMETHEUS_ALERTS_FILE, type PrometheusAlertsJson } from '../slo/prometheus-alerts.ts';

/** Everything a run directory holds, in memory (the shape lives with the format, so the pure core can name it). */
export type { RunData } from './format.ts';

/** Streams the records of an NDJSON file; a missing file yields nothing, an unparsable last line is skipped. */
export async function* readRecords<T>(path: string): AsyncGenerator<T> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let pending: string | undefined;
  let lineNo = 0;
  for await (const line of lines) {
    if (pending !== undefined) {
      yield parseLine<T>(pending, path, lineNo);
    }
    lineNo++;
    pending = line.trim() === '' ? undefined : line;
  }
  if (pending !== undefined) {
    try {
      yield JSON.parse(pending) as T;
    } catch {
      // The last line of an interrupted run may be cut short: skip it.
    }
  }
}

function parseLine<T>(line: string, path: string, lineNo: number): T {
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new RunDirError(`${path}: line ${lineNo} is not valid JSON`);
  }
}

/** Reads and parses a JSON file of the run directory, or undefined when it does not exist. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    throw new RunDirError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** A run directory's records but its interval records, which a caller may stream with readRecords instead. */
export type RunMeta = Omit<RunData, 'intervals'>;

/** Reads a run directory but intervals.ndjson; throws RunDirError when it is not one. */
export async function readRunMeta(dir: string): Promise<RunMeta> {
  const run = await readJsonFile<RunJson>(join(dir, RUN_FILES.run));
  if (!run) throw new RunDirError(`${dir} is not a run directory (no ${RUN_FILES.run})`);
  if (run.format !== FORMAT_VERSION) {
    throw new RunDirError(`${dir}: run format ${String(run.format)} is not supported (expected ${FORMAT_VERSION})`);
  }
  const samples: SampleRecord[] = [];
  for await (const s of readRecords<SampleRecord>(join(dir, RUN_FILES.samples))) samples.push(s);
  return {
    dir,
    run,
    samples,
    summary: await readJsonFile<SummaryJson>(join(dir, RUN_FILES.summary)),
    verdict: await readJsonFile<VerdictJson>(join(dir, RUN_FILES.verdict)),
    profile: await readJsonFile<ProfileSummary>(join(dir, PROFILE_DIR, PROFILE_SUMMARY_FILE)),
    prometheus: await readJsonFile<PrometheusAlertsJson>(join(dir, PROMETHEUS_ALERTS_FILE)),
  };
}

/** Reads a whole run directory; throws RunDirError when it is not one. */
export async function readRunDir(dir: string): Promise<RunData> {
  const meta = await readRunMeta(dir);
  const intervals: IntervalRecord[] = [];
  for await (const r of readRecords<IntervalRecord>(join(dir, RUN_FILES.intervals))) intervals.push(r);
  return { ...meta, intervals };
}
