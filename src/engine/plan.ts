// Compiles a scenario's journeys once into what the hot path needs: request bytes (pre-serialised when the step
// has no template), expected statuses, checks, captures and think ranges.

import type { HttpStep, Journey, ScenarioDefinition, SqlStep, Step } from '../scenario/types.ts';
import { compileBodyTemplate, compileTemplate, type TemplateFn, type TemplateVars } from '../scenario/template.ts';
import { compileJsonPath, type JsonPathFn } from '../scenario/json-path.ts';
import { parseThink, type ThinkRange } from '../scenario/think.ts';
import { parseDurationMs } from '../scenario/duration.ts';
import { cumulativeWeights } from './random.ts';
import type { ResolvedTarget } from './host-guard.ts';
import { PERFGATE_VERSION } from '../version.ts';
import { crossOriginDrops, DEFAULT_MAX_REDIRECTS, isIdempotent } from './redirect.ts';
import { withDefaults } from '../scenario/defaults.ts';
import { compileJsonCheck, type CompiledJsonCheck } from '../scenario/json-check.ts';

/** Default request timeout. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** An HTTP step ready to run. */
export interface CompiledHttpStep {
  kind: 'http';
  name: string;
  /** The journey's name (the `journey` tag); `setup` for setup steps. */
  journey: string;
  method: string;
  /** Bytes of the request when nothing in it is templated. */
  staticBytes: Buffer | null;
  /** Renders the request bytes for the given variables. */
  build: (vars: TemplateVars) => Buffer;
  head: boolean;
  /** GET, HEAD, PUT, DELETE, OPTIONS: may be resent once on a keep-alive socket found closed. */
  idempotent: boolean;
  timeoutMs: number;
  /** Redirects to follow (0: a 3xx is the response). */
  maxRedirects: number;
  /** Lower-case names of the headers a hop to another origin drops (see crossOriginDrops). */
  crossOriginDrop: ReadonlySet<string>;
  expect: ReadonlySet<number> | undefined;
  checkStatus: ReadonlySet<number> | undefined;
  checkBodyIncludes: string | undefined;
  /** The jsonPath checks, each with its name (the `check` tag). */
  jsonChecks: CompiledJsonCheck[];
  /** The `check` tag of the status and body checks: the check block's name, else the step's. */
  checkName: string;
  /** `check.fail`: a failed check fails the request (error class `check_failed`). */
  checkFails: boolean;
  captures: Array<[string, JsonPathFn]>;
  /** The step sets its own Cookie header: the VU's jar adds none. */
  ownCookie: boolean;
  /** Whether the body must be read (a check or a capture needs it). */
  collectBody: boolean;
  think: ThinkRange | undefined;
}

/** A `sql` step, run by the StepRunner registered for its kind (src/engine/sql-runner.ts). */
export interface CompiledSqlStep {
  kind: 'sql';
  name: string;
  /** The journey's name (the `journey` tag). */
  journey: string;
  method: 'SQL';
  think: ThinkRange | undefined;
  timeoutMs: number;
  step: SqlStep;
}

/** A step run by a StepRunner rather than the VU's HTTP client. */
export type CompiledRunnerStep = CompiledSqlStep;

/** Any compiled step; `kind` tells them apart. */
export type CompiledStep = CompiledHttpStep | CompiledRunnerStep;

/** A journey ready to run. */
export interface CompiledJourney {
  name: string;
  steps: CompiledStep[];
}

/** The compiled scenario: journeys, their cumulative weights, and the setup journey. */
export interface CompiledPlan {
  journeys: CompiledJourney[];
  cumulativeWeights: number[];
  setup: CompiledJourney | undefined;
}

/** Compiles the journeys and setup of a (validated, profiled) scenario for a resolved target. */
export function compilePlan(def: ScenarioDefinition, target: ResolvedTarget): CompiledPlan {
  const basePath = new URL(def.target.baseUrl).pathname.replace(/\/+$/, '');
  const defaultTimeoutMs = def.timeout ? parseDurationMs(def.timeout, 'timeout') : DEFAULT_TIMEOUT_MS;
  const maxRedirects = def.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  // Journey steps get the scenario's defaults; setup steps are compiled as written (src/scenario/defaults.ts).
  const journey = (j: Journey | { name: string; steps: Step[] }, field: string, defaults: ScenarioDefinition['defaults']): CompiledJourney => ({
    name: j.name,
    steps: j.steps.map((s, i) => ({ ...compileStep(withDefaults(s, defaults), `${field}.steps[${i}]`, target, basePath, defaultTimeoutMs, maxRedirects), journey: j.name })),
  });
  return {
    journeys: def.journeys.map((j, i) => journey(j, `journeys[${i}]`, def.defaults)),
    cumulativeWeights: cumulativeWeights(def.journeys.map((j) => j.weight)),
    setup: def.setup ? journey({ name: 'setup', steps: def.setup.steps }, 'setup', undefined) : undefined,
  };
}

function compileStep(step: Step, field: string, target: ResolvedTarget, basePath: string, defaultTimeoutMs: number, maxRedirects: number): CompiledStep {
  const think = step.think ? parseThink(step.think, `${field}.think`) : undefined;
  const timeoutMs = step.timeout ? parseDurationMs(step.timeout, `${field}.timeout`) : defaultTimeoutMs;
  if (step.type === 'sql') return { kind: 'sql', name: step.name, journey: '', method: 'SQL', think, timeoutMs, step };
  return compileHttpStep(step, field, target, basePath, timeoutMs, think, step.redirects ?? maxRedirects);
}

function compileHttpStep(
  step: HttpStep,
  field: string,
  target: ResolvedTarget,
  basePath: string,
  timeoutMs: number,
  think: ThinkRange | undefined,
  maxRedirects: number,
): CompiledHttpStep {
  const method = (step.method ?? 'GET').toUpperCase();
  const { build, staticBytes } = compileRequest(step, field, target, basePath, method);
  const statusSet = (s: number | number[] | undefined) => (s === undefined ? undefined : new Set(Array.isArray(s) ? s : [s]));
  const captures = Object.entries(step.capture ?? {}).map(
    ([name, p]) => [name, compileJsonPath(p, `${field}.capture.${name}`)] as [string, JsonPathFn],
  );
  const check = step.check;
  const checkName = check?.name ?? step.name;
  const jsonList = check?.jsonPath === undefined ? [] : Array.isArray(check.jsonPath) ? check.jsonPath : [check.jsonPath];
  const jsonField = (i: number) => `${field}.check.jsonPath${Array.isArray(check?.jsonPath) ? `[${i}]` : ''}`;
  const jsonChecks = jsonList.map((c, i) => compileJsonCheck(c, checkName, jsonField(i)));
  return {
    kind: 'http',
    name: step.name,
    journey: '',
    method,
    staticBytes,
    build,
    head: method === 'HEAD',
    idempotent: isIdempotent(method),
    timeoutMs,
    maxRedirects,
    crossOriginDrop: crossOriginDrops(Object.keys(step.headers ?? {}), step.redirectHeaders),
    expect: step.expect ? new Set(step.expect) : undefined,
    checkStatus: statusSet(check?.status),
    checkBodyIncludes: check?.bodyIncludes,
    jsonChecks,
    checkName,
    ownCookie: Object.keys(step.headers ?? {}).some((k) => k.toLowerCase() === 'cookie'),
    checkFails: check?.fail === true,
    captures,
    collectBody: captures.length > 0 || check?.bodyIncludes !== undefined || check?.jsonPath !== undefined,
    think,
  };
}

/** The step's request as bytes: a builder from the template variables, and the bytes themselves when nothing is templated. */
function compileRequest(step: HttpStep, field: string, target: ResolvedTarget, basePath: string, method: string): Pick<CompiledHttpStep, 'build' | 'staticBytes'> {
  const path = compileTemplate(step.path, { urlEncode: true, field: `${field}.path` });
  const headerEntries = Object.entries(step.headers ?? {}).map(
    ([k, v]) => [k, compileTemplate(v, { field: `${field}.headers.${k}` })] as [string, TemplateFn],
  );
  const hasBody = step.body !== undefined && step.body !== null;
  const body = hasBody ? compileBodyTemplate(step.body, `${field}.body`) : undefined;
  const lowerNames = new Set(headerEntries.map(([k]) => k.toLowerCase()));
  let fixed = `Host: ${target.hostHeader}\r\n`;
  if (!lowerNames.has('user-agent')) fixed += `User-Agent: perfgate/${PERFGATE_VERSION}\r\n`;
  if (!lowerNames.has('accept')) fixed += 'Accept: */*\r\n';
  if (hasBody && !lowerNames.has('content-type')) {
    fixed += `Content-Type: ${typeof step.body === 'string' ? 'text/plain' : 'application/json'}\r\n`;
  }
  const build = (vars: TemplateVars): Buffer => {
    let s = `${method} ${basePath}${path(vars)} HTTP/1.1\r\n${fixed}`;
    for (const [k, v] of headerEntries) s += `${k}: ${v(vars)}\r\n`;
    if (body) {
      const b = body(vars);
      s += `Content-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`;
    } else if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      s += 'Content-Length: 0\r\n\r\n';
    } else s += '\r\n';
    return Buffer.from(s);
  };
  const templated = [step.path, ...Object.values(step.headers ?? {}), JSON.stringify(step.body ?? '')].some((s) => s.includes('{{'));
  return { build, staticBytes: templated ? null : build({}) };
}
