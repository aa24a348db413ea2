// Loads a scenario by name or file: finds it, imports (.ts/.js through tsx) or parses (.json) it, validates it,
// applies the profile and computes what the run needs to know up front.

import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.ts';
import type { ProfileName, TimeWindow } from '../results/format.ts';
import { applyProfile } from './profile.ts';
import { validateScenario } from './schema.ts';
import { peakRatePerS, peakVUs, phases, plannedDurationMs } from './stages.ts';
import { findTemplateVars } from './template.ts';
import type { ScenarioDefinition } from './types.ts';

/** A validated scenario scaled for its profile, with what the run needs to know before it starts. */
export interface ResolvedScenario {
  /** The definition to run (after the profile). */
  definition: ScenarioDefinition;
  /** The definition as validated, before the profile. */
  original: ScenarioDefinition;
  profile: ProfileName;
  /** Absolute path of the scenario file ('' for a definition passed in memory). */
  sourcePath: string;
  /** Folder that data files (`data.*.file`) are relative to: the working directory. */
  baseDir: string;
  plannedDurationMs: number;
  phases: TimeWindow[];
  peakVUs: number;
  /** Highest arrival rate per second, for open models. */
  peakRatePerS?: number;
  /** Non-fatal findings, e.g. template variables nothing provides. */
  warnings: string[];
}

/** Options of loadScenario. */
export interface LoadScenarioOptions {
  /** Profile to apply; `full` by default. */
  profile?: ProfileName;
  /** Folder names and relative paths are resolved from (and data files read from); process.cwd() by default. */
  cwd?: string;
  /** Environment for `{{env.X}}` checks; when given, unset variables are reported as warnings. */
  env?: Record<string, string | undefined>;
}

const EXTENSIONS = ['.ts', '.js', '.mjs', '.json'];
const FOLDERS = ['scenarios', join('scenarios', 'drills')];

/** Finds the file of a scenario reference: a path (with an extension or a slash) or a bare name in scenarios/. */
export async function resolveScenarioPath(ref: string, cwd = process.cwd()): Promise<string> {
  const isPath = EXTENSIONS.includes(extname(ref)) || ref.includes('/') || ref.includes('\\');
  const candidates = isPath ? [resolve(cwd, ref)] : FOLDERS.flatMap((d) => EXTENSIONS.map((e) => resolve(cwd, d, ref + e)));
  for (const c of candidates) if (await isFile(c)) return c;
  if (isPath) throw new ConfigError([{ path: 'scenario', message: `file "${ref}" does not exist` }], 'scenario not found');
  const known = await knownScenarios(cwd);
  const hint = known.length ? `; known scenarios: ${known.join(', ')}` : '';
  throw new ConfigError(
    [{ path: 'scenario', message: `no scenario named "${ref}" (looked for scenarios/${ref}.ts and scenarios/drills/${ref}.ts)${hint}` }],
    'scenario not found',
  );
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** Names of the scenarios in scenarios/ and scenarios/drills/. */
export async function knownScenarios(cwd = process.cwd()): Promise<string[]> {
  const names = new Set<string>();
  for (const d of FOLDERS) {
    const entries = await readdir(resolve(cwd, d)).catch(() => [] as string[]);
    for (const e of entries) {
      const ext = extname(e);
      if (EXTENSIONS.includes(ext) && !e.endsWith('.d.ts') && e !== `slos${ext}`) names.add(e.slice(0, -ext.length));
    }
  }
  return [...names].sort();
}

/** Reads a scenario file's raw content: the default export of a module, or a parsed .json. */
export async function readScenarioFile(path: string, shown = path): Promise<unknown> {
  const fail = (message: string): never => {
    throw new ConfigError([{ path: 'scenario', message }], `cannot load scenario ${shown}`);
  };
  if (extname(path) === '.json') {
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      fail(`cannot read "${shown}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      return fail(`"${shown}" is not valid JSON: ${(err as Error).message}`);
    }
  }
  let mod: Record<string, unknown> = {};
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    fail(`"${shown}" failed to load: ${firstLines(String((err as Error)?.message ?? err).replaceAll(path, shown))}`);
  }
  if (mod.default === undefined) fail(`"${shown}" has no default export (write: export default defineScenario({...}))`);
  return mod.default;
}

function firstLines(s: string, n = 4): string {
  return s.split('\n').filter((l) => l.trim()).slice(0, n).join(' | ');
}

/**
 * Loads, validates and profiles a scenario.
 *   ref -> resolveScenarioPath -> readScenarioFile -> resolveDefinition (validate -> applyProfile -> stage math)
 */
export async function loadScenario(ref: string, opts: LoadScenarioOptions = {}): Promise<ResolvedScenario> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const path = await resolveScenarioPath(ref, cwd);
  const shown = displayPath(path, cwd);
  const raw = await readScenarioFile(path, shown);
  return { ...resolveDefinition(raw, { ...opts, cwd, source: shown }), sourcePath: path };
}

/** Validates and profiles a definition given in memory (the library's `run(def)`); `source` names it in errors. */
export function resolveDefinition(
  input: unknown,
  opts: LoadScenarioOptions & { source?: string } = {},
): ResolvedScenario {
  const profile = opts.profile ?? 'full';
  const original = validateScenario(input, opts.source);
  const definition = applyProfile(original, profile);
  const warnings = findTemplateVars(original, { env: opts.env })
    .filter((u) => !u.provided)
    .map((u) =>
      u.name.startsWith('env.')
        ? `${u.path}: environment variable ${u.name.slice(4)} is not set`
        : `${u.path}: template variable "${u.name}" is not provided by any data feeder, capture or setup step`,
    );
  return {
    definition,
    original,
    profile,
    sourcePath: '',
    baseDir: resolve(opts.cwd ?? process.cwd()),
    plannedDurationMs: plannedDurationMs(definition.load),
    phases: phases(definition.load),
    peakVUs: peakVUs(definition.load),
    peakRatePerS: peakRatePerS(definition.load),
    warnings,
  };
}

/** The path relative to cwd when inside it (messages never show machine-specific folders needlessly). */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
