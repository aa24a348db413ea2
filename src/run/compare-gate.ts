// `perfgate compare` and `perfgate run --baseline`: finds the baselines, reads the runs, compares, writes
// compare.json, compare.md and compare-junit.xml, and returns the gate's exit code.

import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareRuns, type RunInput } from '../compare/compare.ts';
import { renderCompareJunit, renderCompareMarkdown } from '../compare/render.ts';
import type { CompareJson, RunRef } from '../compare/types.ts';
import { ConfigError, RunDirError, type ConfigIssue } from '../errors.ts';
import { findRuns, newestFirst, pickBaselines, type FoundRun } from '../results/find-runs.ts';
import { readRunDir } from '../results/read.ts';
import { writeJsonAtomic } from '../results/atomic-write.ts';
import { RUN_FILES } from '../results/format.ts';
import { writeReport } from './write-report.ts';

/** Files the gate writes. */
export const COMPARE_FILES = { json: 'compare.json', markdown: 'compare.md', junit: 'compare-junit.xml' } as const;

/** Options of compareGate. */
export interface CompareGateOptions {
  /** Run directories or folders of them. */
  baselines: string[];
  /** A run directory, or a folder whose newest run is the candidate. */
  candidate: string;
  maxBaselines?: number;
  minEffect?: number;
  failOnInconclusive?: boolean;
  /** Where the outputs go (default: the candidate's run directory). */
  out?: string;
  /** Folders of stored runs to learn the run-to-run spread from (same-build groups), with one baseline. */
  noiseFrom?: string[];
  env?: Record<string, string | undefined>;
  seed?: number;
}

/** What the gate decided and where it wrote it. */
export interface CompareGateOutcome {
  result: CompareJson;
  markdown: string;
  outDir: string;
}

/** Parses a minimum effect: "10%", "10" (percent) or "0.1" when written with a leading "0."; throws ConfigError. */
export function parseEffect(text: string | number, path: string): number {
  const s = String(text).trim();
  const m = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(s);
  const value = m ? (m[2] === '%' || !s.startsWith('0.') ? Number(m[1]) / 100 : Number(m[1])) : NaN;
  if (!(value > 0 && value < 10)) throw new ConfigError([{ path, message: `must be a percentage such as 10% (got "${s}")` }], 'invalid arguments');
  return value;
}

/**
 * Per-statistic minimum effects from a scenario's `compare` block: `{ 'http_req_duration{name:x}': { 'p(95)': '5%' } }`
 * gives `http_req_duration{name:x} p(95)`; `{ db_query_duration: '20%' }` applies to every statistic of the metric.
 */
export function minEffectsFromScenario(compare: unknown): Record<string, number> {
  if (compare === undefined || compare === null) return {};
  const issues: ConfigIssue[] = [];
  const out: Record<string, number> = {};
  if (typeof compare !== 'object' || Array.isArray(compare)) throw new ConfigError([{ path: 'compare', message: 'must be an object of metric keys' }]);
  for (const [key, v] of Object.entries(compare as Record<string, unknown>)) {
    try {
      if (typeof v === 'string' || typeof v === 'number') out[key] = parseEffect(v, `compare.${key}`);
      else if (v && typeof v === 'object') for (const [stat, e] of Object.entries(v)) out[`${key} ${stat}`] = parseEffect(e as string, `compare.${key}.${stat}`);
      else issues.push({ path: `compare.${key}`, message: 'must be a percentage or an object of statistics to percentages' });
    } catch (err) {
      issues.push(...((err as ConfigError).issues ?? [{ path: `compare.${key}`, message: String(err) }]));
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return out;
}

function refOf(f: FoundRun): RunRef {
  const env = f.run.environment as { gitSha?: string; gitBranch?: string } | undefined;
  return {
    dir: f.dir, id: f.run.id, scenario: f.run.scenario, profile: f.run.profile, startedAt: f.run.startedAt,
    ...(env?.gitSha ? { gitSha: env.gitSha } : {}), ...(env?.gitBranch ? { gitBranch: env.gitBranch } : {}),
  };
}

async function load(f: FoundRun): Promise<RunInput> {
  const data = await readRunDir(f.dir);
  return { ref: refOf(f), records: { intervals: data.intervals, samples: data.samples, cores: data.run.environment?.cpus } };
}

/** Groups runs by git sha (same build), keeping groups of two or more. */
function sameBuildGroups(runs: readonly FoundRun[]): FoundRun[][] {
  const by = new Map<string, FoundRun[]>();
  for (const r of runs) {
    const sha = r.run.environment?.gitSha;
    if (!sha) continue;
    by.set(sha, [...(by.get(sha) ?? []), r]);
  }
  return [...by.values()].filter((g) => g.length >= 2);
}

/** Compares a candidate with its baselines and writes the outputs; see DESIGN.md "Regression gate". */
export async function compareGate(opts: CompareGateOptions): Promise<CompareGateOutcome> {
  // candidate + baseline pool -> pick (scenario, profile, target build, newest first, K) -> read -> compareRuns
  //   -> compare.json/.md/junit -> the run's summary.md rows and report.html section
  const candidates = newestFirst(await findRuns(opts.candidate));
  const candidate = candidates[0];
  if (!candidate) throw new RunDirError(`${opts.candidate} holds no run directory`);
  const pool = (await Promise.all(opts.baselines.map(findRuns))).flat();
  const { baselines, rest } = pickBaselines(candidate, pool, opts.maxBaselines ?? 5);
  if (baselines.length === 0) {
    const build = candidate.run.target?.build ? `, target build ${candidate.run.target.build}` : '';
    throw new RunDirError(`no completed, unprofiled baseline run of scenario "${candidate.run.scenario}" (profile ${candidate.run.profile}${build}) in ${opts.baselines.join(', ')}`);
  }
  let noiseGroups: RunInput['records'][][] | undefined;
  if (baselines.length === 1) {
    const stored = [...rest, ...(await Promise.all((opts.noiseFrom ?? []).map(findRuns))).flat()];
    const { baselines: same } = pickBaselines(candidate, stored, Number.MAX_SAFE_INTEGER);
    noiseGroups = await Promise.all(sameBuildGroups(same).map((g) => Promise.all(g.map(async (r) => (await load(r)).records))));
  }
  const minEffects = minEffectsFromScenario((candidate.run.config as { compare?: unknown } | undefined)?.compare);
  const result = compareRuns(await Promise.all(baselines.map(load)), await load(candidate), {
    minEffect: opts.minEffect, minEffects, failOnInconclusive: opts.failOnInconclusive, seed: opts.seed, noiseGroups,
  });
  const outDir = resolve(opts.out ?? candidate.dir);
  mkdirSync(outDir, { recursive: true });
  const markdown = renderCompareMarkdown(result);
  writeJsonAtomic(join(outDir, COMPARE_FILES.json), result);
  await writeFile(join(outDir, COMPARE_FILES.markdown), markdown);
  await writeFile(join(outDir, COMPARE_FILES.junit), renderCompareJunit(result));
  if (outDir === candidate.dir) await addToRunOutputs(outDir, markdown);
  const stepSummary = opts.env?.GITHUB_STEP_SUMMARY;
  if (stepSummary) await appendFile(stepSummary, `${markdown}\n`);
  return { result, markdown, outDir };
}

const MD_START = '<!-- perfgate:compare -->';
const MD_END = '<!-- /perfgate:compare -->';

/** Puts the comparison rows into the run's summary.md (replacing earlier ones), and rewrites its report.html when present. */
async function addToRunOutputs(runDir: string, markdown: string): Promise<void> {
  const summary = join(runDir, RUN_FILES.markdown);
  if (existsSync(summary)) {
    const text = await readFile(summary, 'utf8');
    const start = text.indexOf(MD_START);
    const end = text.indexOf(MD_END);
    const kept = start >= 0 && end > start ? text.slice(0, start) + text.slice(end + MD_END.length).replace(/^\n/, '') : text;
    await writeFile(summary, `${kept.trimEnd()}\n\n${MD_START}\n${markdown.trimEnd()}\n${MD_END}\n`);
  }
  if (existsSync(join(runDir, RUN_FILES.report))) await writeReport(runDir);
}
