// Finds run directories for the regression gate: a path is a run directory (it holds run.json) or a folder of them.
// Reads run.json only, so a folder of many runs is scanned cheaply; the chosen runs are read in full by the caller.

import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RunDirError } from '../errors.ts';
import { RUN_FILES, type RunJson } from './format.ts';
import { readJsonFile } from './read.ts';

/** A run directory found, with its run.json. */
export interface FoundRun {
  dir: string;
  run: RunJson;
}

/** The run directories a path names: itself when it holds run.json, else its sub-folders that do (one level). */
export async function findRuns(path: string): Promise<FoundRun[]> {
  if (!existsSync(path)) throw new RunDirError(`${path} does not exist`);
  if (existsSync(join(path, RUN_FILES.run))) return [await readFound(path)];
  if (!statSync(path).isDirectory()) throw new RunDirError(`${path} is neither a run directory nor a folder of them`);
  const seen = new Set<string>();
  const out: FoundRun[] = [];
  for (const entry of readdirSync(path).sort()) {
    const dir = join(path, entry);
    if (!existsSync(join(dir, RUN_FILES.run))) continue;
    const real = realpathSync(dir);
    if (seen.has(real)) continue; // reports/latest points at a run already listed
    seen.add(real);
    out.push(await readFound(dir));
  }
  return out;
}

async function readFound(dir: string): Promise<FoundRun> {
  const run = await readJsonFile<RunJson>(join(dir, RUN_FILES.run));
  if (!run) throw new RunDirError(`${dir} is not a run directory (no ${RUN_FILES.run})`);
  return { dir: realpathSync(dir), run };
}

/** Newest first, by start time. */
export function newestFirst(runs: readonly FoundRun[]): FoundRun[] {
  return [...runs].sort((a, b) => Date.parse(b.run.startedAt) - Date.parse(a.run.startedAt));
}

/** True when a stored run may be a baseline of the candidate: completed, not profiled, same scenario, profile and target build. */
export function comparable(candidate: FoundRun, r: FoundRun): boolean {
  return (
    r.dir !== candidate.dir && r.run.status === 'completed' && r.run.profiled !== true && r.run.scenario === candidate.run.scenario &&
    r.run.profile === candidate.run.profile && (r.run.target?.build ?? '') === (candidate.run.target?.build ?? '')
  );
}

/**
 * The baselines for a candidate: comparable runs (see comparable; the candidate itself left out), newest first, up to
 * `max`; and the rest of the matching runs, for learning the run-to-run spread.
 */
export function pickBaselines(candidate: FoundRun, pool: readonly FoundRun[], max: number): { baselines: FoundRun[]; rest: FoundRun[] } {
  const matching = newestFirst(pool).filter((r) => comparable(candidate, r));
  const unique = matching.filter((r, i) => matching.findIndex((x) => x.dir === r.dir) === i);
  return { baselines: unique.slice(0, max), rest: unique.slice(max) };
}
