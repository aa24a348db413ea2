// Where a scenario's data files are: a relative `data.*.file` is looked up in the scenario file's folder, then, for a
// scenario kept in a project's `scenarios/` folder (at any depth), in the project folder that holds `scenarios/` (so
// the bundled scenarios' `fixtures/tickers.csv` is the project's fixtures/). An absolute path is used as it is.

import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { loadFeeders } from './feeders.ts';
import type { DataFeeder } from './types.ts';

/** The folders a scenario file's relative data paths are looked up in, in order. */
export function dataDirsOf(scenarioPath: string): string[] {
  const own = dirname(resolve(scenarioPath));
  for (let d = own; dirname(d) !== d; d = dirname(d)) {
    if (basename(d) === 'scenarios') return [own, dirname(d)];
  }
  return [own];
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** The absolute path of a data file: the first folder that holds it, else undefined with the paths looked at. */
export async function findDataFile(file: string, dirs: readonly string[]): Promise<{ path?: string; tried: string[] }> {
  const tried = isAbsolute(file) ? [file] : [...new Set(dirs.map((d) => resolve(d, file)))];
  for (const p of tried) if (await isFile(p)) return { path: p, tried };
  return { tried };
}

/**
 * Finds and reads every feeder's file, as the load will (so a bad file fails now, not after the run has started), and
 * checks that a `unique` feeder has a row per VU. Returns the absolute paths the files resolved to, by feeder name.
 */
export async function checkDataFiles(data: unknown, dirs: readonly string[], peakVUs?: number): Promise<{ files: Record<string, string>; issues: ConfigIssue[] }> {
  const files: Record<string, string> = {};
  const issues: ConfigIssue[] = [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { files, issues };
  for (const [name, spec] of Object.entries(data as Record<string, unknown>)) {
    const { file, column } = (spec ?? {}) as { file?: unknown; column?: unknown };
    if (typeof file !== 'string' || !file || (column !== undefined && typeof column !== 'string')) continue; // the schema reports it
    const found = await findDataFile(file, dirs);
    if (!found.path) {
      issues.push({ path: `data.${name}.file`, message: `file "${file}" does not exist (looked for ${found.tried.join(', then ')})` });
      continue;
    }
    try {
      const feeders = await loadFeeders({ [name]: { ...(spec as DataFeeder), file: found.path } }, dirname(found.path));
      if (peakVUs !== undefined) feeders.requireRows(peakVUs);
      files[name] = found.path;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...err.issues.map((i) => ({ ...i, message: i.message.replaceAll(`"${found.path}"`, `"${file}" (${found.path})`) })));
    }
  }
  return { files, issues };
}
