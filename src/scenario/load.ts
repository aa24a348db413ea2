// Loads a scenario by name or file: finds it, imports (.ts/.js through tsx) or parses (.json) it, validates it,
// applies the profile and computes what the run needs to know up front.

import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import type { ProfileName, TimeWindow } from '../results/format.ts';
import { phaseTagIssues, templateIssues, thresholdIssues } from './checks.ts';
import { checkDataFiles, dataDirsOf } from './data-files.ts';
import { gatedPhaseIssues } from './phase-data.ts';
import { applyProfile } from './profile.ts';
import { applyLoadOverrides, noOverrides, type LoadOverrides } from './overrides.ts';
import { scenarioError, scenarioIssues, uniqueIssues } from './schema.ts';
import { runPeakRatePerS, runPeakVUs, runPhases, runPlannedDurationMs, singleLoad } from './scenarios.ts';
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
  /** Folders relative data files (`data.*.file`) are looked up in, in order (see data-files.ts). */
  dataDirs: string[];
  /** The first of dataDirs. */
  baseDir: string;
  /** Absolute path each data feeder's file resolved to, by feeder name. */
  dataFiles: Record<string, string>;
  plannedDurationMs: number;
  phases: TimeWindow[];
  peakVUs: number;
  /** Highest arrival rate per second, for open models. */
  peakRatePerS?: number;
  /** Non-fatal findings (none today: every finding is a ConfigError). */
  warnings: string[];
}

/**
 * A check the caller adds to the validation pass; it throws a ConfigError. It gets the profiled definition, or, when
 * the schema refused the scenario, the raw input as a best effort (then anything but a ConfigError it throws is
 * dropped: the schema has already reported the shape that tripped it).
 */
export type ScenarioCheck = (definition: ScenarioDefinition) => unknown;

/** Options of loadScenario. */
export interface LoadScenarioOptions {
  /** Profile to apply; `full` by default. */
  profile?: ProfileName;
  /** Command-line load overrides (--vus, --duration, ...), applied after the profile (src/scenario/overrides.ts). */
  overrides?: LoadOverrides;
  /** Folder names and relative paths are resolved from; process.cwd() by default. */
  cwd?: string;
  /** Environment for `{{env.X}}` checks; when given, an unset variable is a ConfigError. */
  env?: Record<string, string | undefined>;
  /** Folders for relative data files, for a definition in memory (default: cwd); a file's come from its location. */
  dataDirs?: string[];
  /** More checks for the same pass (faults, lab connections); their problems join the scenario's. */
  checks?: ScenarioCheck[];
}

/** The extensions a scenario file may have: every TypeScript and JavaScript module kind, and JSON. */
export const SCENARIO_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'];
const FOLDERS = ['scenarios', join('scenarios', 'drills')];
/** The folder holding perfgate's own scenarios/ (the bundled scenarios and drills), in a clone or an installed package. */
export const BUNDLED_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where a scenario found by name comes from: the user's project (cwd) or the perfgate package. */
export type ScenarioOrigin = 'project' | 'bundled';

/** A scenario found by name. */
export interface KnownScenario {
  name: string;
  origin: ScenarioOrigin;
  /** Absolute path of its file. */
  path: string;
}

/** The folders bare names are looked up in, in order: the project's scenarios/ and drills/, then the bundled ones. */
function nameRoots(cwd: string): { root: string; origin: ScenarioOrigin }[] {
  const roots: { root: string; origin: ScenarioOrigin }[] = [{ root: resolve(cwd), origin: 'project' }];
  if (resolve(BUNDLED_ROOT) !== resolve(cwd)) roots.push({ root: resolve(BUNDLED_ROOT), origin: 'bundled' });
  return roots;
}

/**
 * Finds the file of a scenario reference: a path (with a scenario extension or a slash), or a bare name looked up in
 * the project's scenarios/ and scenarios/drills/, then in perfgate's bundled ones.
 */
export async function resolveScenarioPath(ref: string, cwd = process.cwd()): Promise<string> {
  const isPath = SCENARIO_EXTENSIONS.includes(extname(ref)) || ref.includes('/') || ref.includes('\\');
  const candidates = isPath
    ? [resolve(cwd, ref)]
    : nameRoots(cwd).flatMap(({ root }) => FOLDERS.flatMap((d) => SCENARIO_EXTENSIONS.map((e) => resolve(root, d, ref + e))));
  for (const c of candidates) if (await isFile(c)) return c;
  if (isPath) throw new ConfigError([{ path: 'scenario', message: `file "${ref}" does not exist` }], 'scenario not found');
  const known = [...new Set((await listScenarios(cwd)).map((s) => s.name))];
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

/** Names of the scenarios in the project's scenarios/ and scenarios/drills/: the modules whose default export is a scenario. */
export async function knownScenarios(cwd = process.cwd()): Promise<string[]> {
  return (await scenariosIn(resolve(cwd), 'project')).map((s) => s.name).sort();
}

/**
 * Every scenario a bare name can reach, sorted by name: the project's, then the bundled ones. A bundled scenario
 * that a project scenario of the same name shadows is listed too (its name reaches the project's).
 */
export async function listScenarios(cwd = process.cwd()): Promise<KnownScenario[]> {
  const found: KnownScenario[] = [];
  for (const { root, origin } of nameRoots(cwd)) found.push(...(await scenariosIn(root, origin)));
  return found.sort((a, b) => a.name.localeCompare(b.name) || (a.origin === 'project' ? -1 : 1));
}

async function scenariosIn(root: string, origin: ScenarioOrigin): Promise<KnownScenario[]> {
  const found = new Map<string, KnownScenario>();
  for (const d of FOLDERS) {
    const entries = (await readdir(resolve(root, d)).catch(() => [] as string[])).sort();
    for (const e of entries) {
      const ext = extname(e);
      const name = e.slice(0, -ext.length);
      if (!SCENARIO_EXTENSIONS.includes(ext) || /\.d\.[mc]?ts$/.test(e) || found.has(name)) continue;
      const path = resolve(root, d, e);
      if (await isScenarioFile(path)) found.set(name, { name, origin, path });
    }
  }
  return [...found.values()];
}

/** Whether a file's default export (or a .json's content) looks like a scenario: a name, a load and journeys. */
async function isScenarioFile(path: string): Promise<boolean> {
  try {
    const v = (await readScenarioFile(path)) as Record<string, unknown> | null;
    return typeof v === 'object' && v !== null && typeof v.name === 'string' && 'load' in v && 'journeys' in v;
  } catch {
    return false; // a helper module without a default export, or a file that does not load
  }
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
    // tsImport compiles any module kind whatever the caller's package type is (a .ts in a CommonJS project reads as
    // CommonJS), and registers nothing globally.
    mod = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
  } catch (err) {
    fail(`"${shown}" failed to load: ${firstLines(String((err as Error)?.message ?? err).replaceAll(path, shown))}`);
  }
  const value = defaultExport(mod);
  if (value === undefined) fail(`"${shown}" has no default export (write: export default defineScenario({...}))`);
  return value;
}

/**
 * A module's default export. A CommonJS module (a .cjs, or a .ts/.js in a CommonJS project) gives its module.exports as
 * `default`: its own `export default` (compiled to `exports.default`) is one level down; `module.exports = {...}` is
 * the value itself.
 */
function defaultExport(mod: Record<string, unknown>): unknown {
  const value = mod.default as Record<string, unknown> | undefined;
  if (value && typeof value === 'object' && '__esModule' in value && 'default' in value) return value.default;
  return value;
}

function firstLines(s: string, n = 4): string {
  return s.split('\n').filter((l) => l.trim()).slice(0, n).join(' | ');
}

/**
 * Loads, validates and profiles a scenario.
 *   ref -> resolveScenarioPath -> readScenarioFile -> resolveDefinition (every check, one ConfigError)
 */
export async function loadScenario(ref: string, opts: LoadScenarioOptions = {}): Promise<ResolvedScenario> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const path = await resolveScenarioPath(ref, cwd);
  const shown = displayPath(path, cwd);
  const raw = await readScenarioFile(path, shown);
  return { ...(await resolveDefinition(raw, { ...opts, cwd, source: shown, dataDirs: dataDirsOf(path) })), sourcePath: path };
}

/**
 * Validates and profiles a definition (the library's `run(def)`); `source` names it in errors. Every problem is
 * found in one pass and thrown as one ConfigError, before anything runs:
 *   schema + cross-field -> thresholds -> template variables -> phase filters
 *     -> (schema held) profile -> load overrides -> gated phases -> caller's checks -> data files
 */
export async function resolveDefinition(
  input: unknown,
  opts: LoadScenarioOptions & { source?: string } = {},
): Promise<ResolvedScenario> {
  const profile = opts.profile ?? 'full';
  const dataDirs = opts.dataDirs ?? [resolve(opts.cwd ?? process.cwd())];
  const { definition: original, issues } = scenarioIssues(input);
  issues.push(...thresholdIssues(input), ...templateIssues(input, opts.env), ...phaseTagIssues(input));
  let definition: ScenarioDefinition | undefined;
  if (original) {
    definition = applyProfile(original, profile);
    if (!noOverrides(opts.overrides)) {
      const overridden = issuesOf(() => (definition = { ...definition!, load: applyLoadOverrides(singleLoad(definition!, 'a load override (--vus, --duration, --iterations, --rate, --stage)'), opts.overrides!) }));
      issues.push(...overridden);
      if (overridden.length === 0 && opts.overrides!.stages) issues.push(...phaseTagIssues({ ...(input as object), load: definition.load }));
    }
    issues.push(...gatedPhaseIssues(definition, profile));
  }
  for (const check of opts.checks ?? []) issues.push(...issuesOf(() => check(definition ?? (input as ScenarioDefinition)), !definition));
  const data = (input as { data?: unknown } | null)?.data;
  const files = await checkDataFiles(data, dataDirs, definition ? runPeakVUs(definition) : undefined);
  issues.push(...files.issues);
  const unique = uniqueIssues(issues);
  if (!original || !definition || unique.length > 0) throw scenarioError(unique, opts.source);
  return {
    definition,
    original,
    profile,
    sourcePath: '',
    dataDirs,
    baseDir: dataDirs[0]!,
    dataFiles: files.files,
    plannedDurationMs: runPlannedDurationMs(definition),
    phases: runPhases(definition),
    peakVUs: runPeakVUs(definition),
    peakRatePerS: runPeakRatePerS(definition),
    warnings: [],
  };
}

/** The issues of a ConfigError that fn throws (none when it returns); `lenient` drops any other error. */
function issuesOf(fn: () => unknown, lenient = false): ConfigIssue[] {
  try {
    fn();
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    if (lenient) return [];
    throw err;
  }
}

/** The path relative to cwd when inside it (messages never show machine-specific folders needlessly). */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
