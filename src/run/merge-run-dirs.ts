// `perfgate merge`: run directories of one test's shards (perfgate processes with execution segments, imported k6
// pods) merged into one run directory (the pure merge: src/results/merge-runs.ts).

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { RUN_FILES } from '../results/format.ts';
import { mergeRuns, type MergedRun } from '../results/merge-runs.ts';
import { readRunDir } from '../results/read.ts';
import { RunDirWriter } from '../results/run-dir-writer.ts';
import { buildSummary } from '../results/summary.ts';

/** Writes a complete run directory from records (an import's or a merge's): run.json, the NDJSON files, summary.json. */
export function writeRunDir(out: string, m: MergedRun): string {
  const writer = RunDirWriter.create({ out, scenario: m.run.scenario });
  for (let i = 0; i < m.intervals.length; i += 5000) {
    writer.appendIntervals(m.intervals.slice(i, i + 5000));
    writer.flush();
  }
  for (const s of m.samples) writer.appendSample(s);
  writer.writeRun(m.run);
  writer.writeJson(RUN_FILES.summary, buildSummary(m));
  writer.close();
  return writer.dir;
}

/** Merges run directories into a new one at `out`; resolves to its path and the merged records. */
export async function mergeRunDirs(dirs: string[], out: string): Promise<{ dir: string; merged: MergedRun }> {
  // read every part -> mergeRuns (offsets, the --workers interval merge, samples by time) -> write the run directory
  if (dirs.length < 2) throw new ConfigError([{ path: 'run-dirs', message: 'name two run directories at least' }], 'invalid arguments');
  const outAbs = resolve(out);
  if (existsSync(join(outAbs, RUN_FILES.run))) throw new ConfigError([{ path: '--out', message: `"${out}" is a run directory already` }], 'invalid arguments');
  if (dirs.some((d) => resolve(d) === outAbs)) throw new ConfigError([{ path: '--out', message: 'is one of the parts' }], 'invalid arguments');
  const shards = [];
  for (const d of dirs) {
    const data = await readRunDir(resolve(d));
    shards.push({ source: d, run: data.run, intervals: data.intervals, samples: data.samples });
  }
  const merged = mergeRuns(shards, { id: randomUUID() });
  return { dir: writeRunDir(out, merged), merged };
}
