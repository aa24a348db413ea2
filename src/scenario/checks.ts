// Checks of a raw scenario beyond its schema, reported with the schema's problems in one ConfigError: template
// variables nothing provides, threshold syntax, and tag filters that name no phase or step. Each reads the input loosely,
// so it runs even when the schema refused other parts.

import { ConfigError, type ConfigIssue } from '../errors.ts';
import { metricInfo } from '../metrics/catalog.ts';
import { parseThresholds, type ThresholdInput } from '../slo/grammar.ts';
import { parseKey } from '../metrics/metric-key.ts';
import { closestName } from './issues.ts';
import { findTemplateVars, type TemplateVarUse } from './template.ts';
import { DEFAULT_SCENARIO } from './scenarios.ts';
import { scenarioTags, scenarioTagNames, BUILTIN_TAGS } from '../metrics/scenario-tags.ts';

type Loose = Record<string, unknown>;
const isLoose = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const looseList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The sections that hold thresholds: the gate's, and the capacity search's. */
const THRESHOLD_SECTIONS = ['thresholds', 'capacity'] as const;

/** Template variables that nothing provides before their step runs; `env` given: unset `env.X` too. */
export function templateIssues(input: unknown, env?: Record<string, string | undefined>): ConfigIssue[] {
  return findTemplateVars(input, { env })
    .filter((u) => !u.provided)
    .map((u) => ({ path: u.path, message: `${where(u)}: ${whyMissing(u)}` }));
}

function where(u: TemplateVarUse): string {
  if (u.path.startsWith('defaults.')) return 'default headers';
  return u.journey === 'setup' ? `setup step "${u.step}"` : `journey "${u.journey}", step "${u.step}"`;
}

function whyMissing(u: TemplateVarUse): string {
  const [head, ...rest] = u.name.split('.') as [string, ...string[]];
  if (head === 'env' && rest.length > 0) return `environment variable ${rest.join('.')} is not set ({{${u.name}}})`;
  if (u.capturedLater) {
    return `template variable "${u.name}" is captured only by ${u.capturedLater}, which runs later; a capture is available to the steps after it`;
  }
  const near = closestName(head, u.known.filter((k) => !k.startsWith('__')));
  const source = u.path.startsWith('defaults.')
    ? 'no data feeder, setup capture or builtin provides it (default headers go on every journey step, before any capture)'
    : u.journey === 'setup'
      ? 'no earlier setup capture or builtin provides it (setup runs before any data feeder row)'
      : 'no data feeder, setup capture, capture of an earlier step or builtin provides it';
  return `unknown template variable "${u.name}": ${source}${near ? ` (did you mean "${near}"?)` : ''}`;
}

/**
 * Threshold problems (metric names, tags, expressions) of `thresholds` and `capacity`. Only the expressions are
 * handed to the grammar: the shape of each entry (abortOnFail, delayAbortEval) is the schema's to report.
 */
export function thresholdIssues(input: unknown): ConfigIssue[] {
  if (!isLoose(input)) return [];
  const out: ConfigIssue[] = [];
  for (const section of THRESHOLD_SECTIONS) {
    const raw = input[section];
    if (!isLoose(raw)) continue;
    const expressions: Record<string, ThresholdInput[]> = {};
    for (const [key, list] of Object.entries(raw)) {
      if (!Array.isArray(list) || list.length === 0) continue;
      expressions[key] = list.map((e) => (typeof e === 'string' ? e : isLoose(e) && typeof e.threshold === 'string' ? e.threshold : ''));
    }
    try {
      parseThresholds(expressions, undefined, scenarioTagNames(input));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const rename = (p: string) => (section === 'thresholds' ? p : p.replace(/^thresholds/, section));
      out.push(...err.issues.filter((i) => i.message !== 'empty expression').map((i) => ({ ...i, path: rename(i.path) })));
    }
  }
  return out;
}

/** Names of the load's stages (the phases), from the raw input: the `load`'s, or every scenario's of a `scenarios` map. */
export function stageNames(input: unknown): string[] {
  const loads = isLoose(input) ? [input.load, ...(isLoose(input.scenarios) ? Object.values(input.scenarios) : [])] : [];
  const stages = loads.flatMap((load) => (isLoose(load) ? looseList(load.stages) : []));
  return [...new Set(stages.flatMap((s) => (isLoose(s) && typeof s.name === 'string' && s.name ? [s.name] : [])))];
}

/** Names of the journeys' steps (the `name` tag of client metrics; setup steps are not recorded). */
export function stepNames(input: unknown): string[] {
  const journeys = isLoose(input) ? looseList(input.journeys) : [];
  const steps = journeys.flatMap((j) => (isLoose(j) ? looseList(j.steps) : []));
  return [...new Set(steps.flatMap((s) => (isLoose(s) && typeof s.name === 'string' && s.name ? [s.name] : [])))];
}

/** Names of the journeys' checks (the `check` tag): each check block's name (or its step's), each named jsonPath check's. */
export function checkNames(input: unknown): string[] {
  const journeys = isLoose(input) ? looseList(input.journeys) : [];
  const out = new Set<string>();
  for (const step of journeys.flatMap((j) => (isLoose(j) ? looseList(j.steps) : []))) {
    if (!isLoose(step) || !isLoose(step.check)) continue;
    const c = step.check;
    const blockName = typeof c.name === 'string' ? c.name : typeof step.name === 'string' ? step.name : undefined;
    const json = Array.isArray(c.jsonPath) ? c.jsonPath : c.jsonPath === undefined ? [] : [c.jsonPath];
    const unnamed = json.filter((j) => !(isLoose(j) && typeof j.name === 'string'));
    if (blockName !== undefined && (c.status !== undefined || c.bodyIncludes !== undefined || unnamed.length > 0)) out.add(blockName);
    for (const j of json) if (isLoose(j) && typeof j.name === 'string') out.add(j.name);
  }
  return [...out];
}

/**
 * Filters in a threshold or capacity key that can match nothing, so the threshold could only ever say "no data": a
 * `{phase:X}` that names no stage, and (on a client metric) a `{name:X}` that names no journey step or a
 * `{journey:X}` that names no journey, and a `{check:X}` that names no check.
 */
export function phaseTagIssues(input: unknown): ConfigIssue[] {
  if (!isLoose(input)) return [];
  const phases = stageNames(input);
  const steps = stepNames(input);
  const checks = checkNames(input);
  const journeys = isLoose(input) ? looseList(input.journeys).flatMap((j) => (isLoose(j) && typeof j.name === 'string' ? [j.name] : [])) : [];
  const scenarios = isLoose(input) && isLoose(input.scenarios) ? Object.keys(input.scenarios) : [DEFAULT_SCENARIO];
  const custom = scenarioTags(input);
  const out: ConfigIssue[] = [];
  for (const section of THRESHOLD_SECTIONS) {
    const raw = input[section];
    if (!isLoose(raw)) continue;
    for (const key of Object.keys(raw)) {
      const { metric, tags } = parseKey(key);
      const at = `${section}[${JSON.stringify(key)}]`;
      if (tags.phase !== undefined && !phases.includes(tags.phase)) {
        const known = phases.length ? `its phases: ${phases.join(', ')}` : 'the load has no named stages';
        out.push({ path: at, message: `phase "${tags.phase}" names no stage of the load (${hint(tags.phase, phases)}${known})` });
      }
      if (tags.check !== undefined && metric === 'checks' && !checks.includes(tags.check)) {
        out.push({ path: at, message: `check "${tags.check}" names no check (${hint(tags.check, checks)}checks: ${checks.join(', ') || 'none'}; a check is named by its jsonPath check's name, its check block's name, or its step's name)` });
      }
      if (tags.journey !== undefined && metricInfo(metric)?.side === 'client' && !journeys.includes(tags.journey)) {
        out.push({ path: at, message: `journey "${tags.journey}" names no journey (${hint(tags.journey, journeys)}journeys: ${journeys.join(', ') || 'none'})` });
      }
      if (tags.scenario !== undefined && metricInfo(metric)?.side === 'client' && !scenarios.includes(tags.scenario)) {
        out.push({ path: at, message: `scenario "${tags.scenario}" names no scenario of the run (${hint(tags.scenario, scenarios)}scenarios: ${scenarios.join(', ')})` });
      }
      for (const [k, v] of Object.entries(tags)) {
        const values = custom.get(k);
        if (values && !BUILTIN_TAGS.includes(k) && !values.has(v)) out.push({ path: at, message: `tag ${k}:${v} is set by no scenario (its values: ${[...values].join(', ')})` });
      }
      if (tags.name !== undefined && metricInfo(metric)?.side === 'client' && !steps.includes(tags.name)) {
        out.push({ path: at, message: `name "${tags.name}" names no journey step (${hint(tags.name, steps)}steps: ${steps.join(', ') || 'none'}; setup steps are not recorded)` });
      }
    }
  }
  return out;
}

function hint(name: string, known: string[]): string {
  const near = closestName(name, known);
  return near ? `did you mean "${near}"? ` : '';
}
