// The zod 4 schema of a scenario (strict: unknown fields and executors are errors) and validateScenario, which
// reports every problem at once with k6-style paths.

import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { DURATION_EXAMPLES, isDuration, parseDurationMs } from './duration.ts';
import { describeValue, zodIssuesToConfigIssues } from './issues.ts';
import { crossCheck } from './cross-checks.ts';
import { parseJsonPath } from './json-path.ts';
import { parseThink } from './think.ts';
import type { JsonCheck, ScenarioDefinition } from './types.ts';

/** The executors perfgate supports, in k6's names. */
export const EXECUTORS = [
  'constant-vus',
  'ramping-vus',
  'constant-arrival-rate',
  'ramping-arrival-rate',
  'shared-iterations',
  'per-vu-iterations',
] as const;
/** HTTP methods a step may use. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
/** Feeder pick modes named by a string; `{ zipf: exponent }` is the other form. */
export const PICKS = ['random', 'sequential', 'unique', 'zipf'] as const;

/** A strict object whose unknown-field issue carries the known field names (see issues.ts). */
function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = `known:${Object.keys(shape).join(',')}`;
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? known : undefined) });
}

/** A k6 duration string; `positive` refuses '0s'. */
function duration(positive = false) {
  return z.string().superRefine((s, ctx) => {
    if (!isDuration(s)) ctx.addIssue({ code: 'custom', message: `invalid duration ${JSON.stringify(s)} (expected a duration like ${DURATION_EXAMPLES})` });
    else if (positive && parseDurationMs(s) <= 0) ctx.addIssue({ code: 'custom', message: `must be longer than 0, got ${JSON.stringify(s)}` });
  });
}

/** A string parsed by a ConfigError-throwing parser; its message becomes the issue. */
function parsedBy(parse: (s: string) => unknown) {
  return z.string().superRefine((s, ctx) => {
    try {
      parse(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof ConfigError ? err.issues[0]!.message : String(err) });
    }
  });
}

const nonEmpty = z.string().min(1);
const identifier = z.string().regex(/^[A-Za-z_][\w-]*$/, { error: 'must start with a letter or _ and use only letters, digits, _ and -' });
const wholeAtLeast = (min: number) => z.number().int().min(min);
const status = z.number().int().min(100).max(599);
const httpUrl = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  },
  { error: (iss) => `must be an http(s) URL like http://127.0.0.1:8080, got ${JSON.stringify(iss.input)}` },
);

const stage = strict({ duration: duration(), target: wholeAtLeast(0), name: nonEmpty.optional() });
const stages = z.array(stage).min(1, { error: 'needs at least one stage' });
/** One schema per executor, with k6's fields and rules, plus `extra` fields on each. */
function executorSchema<E extends z.core.$ZodLooseShape>(extra: E) {
  const base = { gracefulStop: duration().optional(), tags: z.record(z.string(), z.string()).optional(), ...extra };
  return z.discriminatedUnion('executor', [
    strict({ executor: z.literal('constant-vus'), vus: wholeAtLeast(1).optional(), duration: duration(true), ...base }),
    strict({
      executor: z.literal('ramping-vus'),
      startVUs: wholeAtLeast(0).optional(),
      stages,
      gracefulRampDown: duration().optional(),
      ...base,
    }),
    strict({
      executor: z.literal('constant-arrival-rate'),
      rate: wholeAtLeast(1),
      timeUnit: duration(true).optional(),
      duration: duration(true),
      preAllocatedVUs: wholeAtLeast(0),
      maxVUs: wholeAtLeast(0).optional(),
      ...base,
    }),
    strict({
      executor: z.literal('ramping-arrival-rate'),
      startRate: wholeAtLeast(0).optional(),
      timeUnit: duration(true).optional(),
      stages,
      preAllocatedVUs: wholeAtLeast(0),
      maxVUs: wholeAtLeast(0).optional(),
      ...base,
    }),
    strict({
      executor: z.literal('shared-iterations'),
      vus: wholeAtLeast(1).optional(),
      iterations: wholeAtLeast(1).optional(),
      maxDuration: duration(true).optional(),
      ...base,
    }),
    strict({
      executor: z.literal('per-vu-iterations'),
      vus: wholeAtLeast(1).optional(),
      iterations: wholeAtLeast(1).optional(),
      maxDuration: duration(true).optional(),
      ...base,
    }),
  ]);
}

/** Load options: one schema per executor, with k6's fields and rules. */
export const loadSchema = executorSchema({});

/** A scenario's name in a `scenarios` map: k6's rule (letters, digits, _ and -), so it fits a `{scenario:NAME}` key. */
const scenarioName = z.string().regex(/^[0-9A-Za-z_-]+$/, { error: (iss) => `a scenario name is letters, digits, "_" and "-" (k6's rule), got ${JSON.stringify(iss.input)}` });
const journeySelection = z.union([nonEmpty, z.array(nonEmpty).min(1), z.record(nonEmpty, z.number().positive())], {
  error: (iss) => `must be a journey name, a list of journey names, or journey names with weights ({ browse: 3, write: 1 }), got ${describeValue(iss.input)}`,
});
/** One entry of a `scenarios` map: an executor with `startTime` and `exec` (the journeys it runs). */
export const scenarioEntrySchema = executorSchema({ startTime: duration().optional(), exec: journeySelection.optional() });

const jsonPath = parsedBy((s) => parseJsonPath(s));

/** A check's name, the `check` tag: usable in a threshold key, so no `,`, `:`, `{` or `}`, and no outer spaces. */
const checkName = z.string().regex(/^[^,:{}\s](?:[^,:{}]*[^,:{}\s])?$/, {
  error: (iss) => `must be a name without ",", ":", "{" or "}" and without outer spaces (it is the check tag of checks{check:NAME}), got ${JSON.stringify(iss.input)}`,
});
const bounds = { lt: z.number().optional(), gt: z.number().optional(), lte: z.number().optional(), gte: z.number().optional() };
const regex = z.string().superRefine((s, ctx) => {
  try {
    new RegExp(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression ${JSON.stringify(s)}: ${(err as Error).message}` });
  }
});
/** A jsonPath check: a path that must exist, or an object that compares (src/scenario/json-check.ts). */
const jsonCheck = z.union([
  jsonPath,
  strict({
    path: jsonPath,
    name: checkName.optional(),
    equals: z.unknown().optional(),
    in: z.array(z.unknown()).min(1).optional(),
    ...bounds,
    matches: regex.optional(),
    length: z.union([wholeAtLeast(0), strict({ equals: wholeAtLeast(0).optional(), ...bounds })]).optional(),
  }),
], { error: 'must be a JSON path like "$.items" or a check {path, name?, equals?, in?, lt?, gt?, lte?, gte?, matches?, length?}' });
const jsonCheckList = z.array(jsonCheck).min(1);
/** One jsonPath check or a list of them; a list's problems keep their index (a plain union would lose it). */
const jsonChecks = z.unknown().superRefine((v, ctx) => {
  const r = (Array.isArray(v) ? jsonCheckList : jsonCheck).safeParse(v, { reportInput: true });
  if (!r.success) for (const iss of r.error.issues) ctx.addIssue({ ...iss } as Parameters<typeof ctx.addIssue>[0]);
}) as unknown as z.ZodType<string | JsonCheck | Array<string | JsonCheck>>;
const think = parsedBy((s) => parseThink(s));
const stepName = nonEmpty;

/** An HTTP header name (RFC 9110 token). */
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: (iss) => `must be a header name, got ${JSON.stringify(iss.input)}` });

/** A header name a step lets follow a redirect to another origin: a valid name, and never a credential header. */
const redirectHeaderName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: (iss) => `must be a header name, got ${JSON.stringify(iss.input)}` })
  .refine((s) => !['authorization', 'cookie', 'proxy-authorization'].includes(s.toLowerCase()), {
    error: (iss) => `${JSON.stringify(iss.input)} is a credential: it never follows a redirect to another origin`,
  });

const httpStep = strict({
  name: stepName,
  type: z.literal('http').optional(),
  method: z.enum(HTTP_METHODS).default('GET'),
  path: z.string().regex(/^(\/|\{\{)/, { error: (iss) => `must start with "/" (it is joined to target.baseUrl), got ${JSON.stringify(iss.input)}` }),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  think: think.optional(),
  check: strict({
    status: z.union([status, z.array(status).min(1)], { error: 'must be a status (100-599) or a list of them' }).optional(),
    bodyIncludes: z.string().optional(),
    name: checkName.optional(),
    jsonPath: jsonChecks.optional(),
    fail: z.boolean().optional(),
  }).optional(),
  capture: z.record(identifier, jsonPath).optional(),
  expect: z.array(status).min(1).optional(),
  timeout: duration(true).optional(),
  redirects: wholeAtLeast(0).optional(),
  redirectHeaders: z.array(redirectHeaderName).optional(),
});

const sqlStep = strict({
  name: stepName,
  type: z.literal('sql'),
  connection: nonEmpty,
  sql: nonEmpty,
  params: z.array(z.unknown()).optional(),
  think: think.optional(),
  timeout: duration(true).optional(),
});

/** A journey step: http (the default type) or sql. */
export const stepSchema = z.discriminatedUnion('type', [httpStep, sqlStep]);

const thresholdItem = z.union(
  [
    nonEmpty,
    strict({ threshold: nonEmpty, abortOnFail: z.boolean().optional(), delayAbortEval: duration().optional() }),
  ],
  { error: 'must be a threshold expression like "p(95)<200" or {threshold, abortOnFail?, delayAbortEval?}' },
);
/** An alert rule, or fields replacing a default rule's, or false (src/slo/alert-rules.ts checks metric and expr). */
const alertRule = z.union([
  z.literal(false),
  strict({
    severity: z.enum(['P0', 'P1', 'P2']).optional(), metric: nonEmpty.optional(), expr: nonEmpty.optional(), window: duration(true).optional(),
    for: duration().optional(), warmup: duration().optional(), phases: z.array(nonEmpty).min(1).optional(), minSamples: wholeAtLeast(1).optional(), summary: nonEmpty.optional(),
  }),
], { error: 'must be an alert rule {severity, metric, expr, window?, for?, warmup?, phases?, minSamples?, summary}, or false' });
const urlOnly = strict({ url: nonEmpty.optional() });
/** A feeder pick: a mode name, or `{ zipf: exponent }` with a positive exponent (`'zipf'` is exponent 1). */
const feederPick = z.union([
  z.enum(PICKS, { error: (iss) => `must be one of ${PICKS.map((p) => `"${p}"`).join(', ')} or { zipf: exponent }, got ${describeValue(iss.input)}` }),
  strict({ zipf: z.number().positive() }),
]);
const profileScale = strict({ time: z.number().positive().optional(), load: z.number().positive().optional() });

/** A regression gate's minimum effect: a percentage such as '5%'. */
const minEffect = z.union([z.string().regex(/^\d+(\.\d+)?\s*%$/, { error: (iss) => `must be a percentage such as '5%', got ${JSON.stringify(iss.input)}` }), z.number().positive()]);

/** The whole scenario. */
export const scenarioSchema = strict({
  name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, { error: (iss) => `must be a non-empty name of letters, digits, ".", "_" and "-" (it names the run directory), got ${JSON.stringify(iss.input)}` }),
  description: z.string().optional(),
  target: strict({ baseUrl: httpUrl, allowHosts: z.array(nonEmpty).optional() }),
  load: loadSchema.optional(),
  scenarios: z.record(scenarioName, scenarioEntrySchema).optional(),
  journeys: z.array(strict({ name: nonEmpty, weight: z.number().positive().optional(), steps: z.array(stepSchema).min(1) })).min(1),
  setup: strict({ steps: z.array(stepSchema).min(1), refreshEvery: duration(true).optional() }).optional(),
  data: z
    .record(identifier, strict({ file: nonEmpty, column: nonEmpty.optional(), pick: feederPick.optional() }))
    .optional(),
  connections: z.record(identifier, strict({ url: nonEmpty, poolSize: wholeAtLeast(1).optional() })).optional(),
  thresholds: z.record(nonEmpty, z.array(thresholdItem)).optional(),
  capacity: z.record(nonEmpty, z.array(thresholdItem)).optional(),
  alerts: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, { error: 'a rule name is letters, digits, "_", "." and "-", starting with a letter' }), alertRule).optional(),
  compare: z.record(nonEmpty, z.union([minEffect, z.record(nonEmpty, minEffect)])).optional(),
  collectors: strict({
    prometheus: strict({ url: httpUrl.optional(), metrics: z.record(z.string(), z.string()).optional() }).optional(),
    postgres: urlOnly.optional(),
    pgbouncer: urlOnly.optional(),
    redis: urlOnly.optional(),
    host: strict({}).optional(),
    interval: duration(true).optional(),
  }).optional(),
  faults: z
    .array(strict({ action: nonEmpty, at: duration(), duration: duration(true).optional(), params: z.record(z.string(), z.unknown()).optional() }))
    .optional(),
  lab: strict({
    workers: wholeAtLeast(1).optional(),
    pgbouncer: z.boolean().optional(),
    seed: z.enum(['small', 'default']).optional(),
    targetEnv: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string()).optional(),
    tls: z.boolean().optional(),
    prometheus: z.boolean().optional(),
    recovery: z.boolean().optional(),
    dbProxy: z.boolean().optional(),
  }).optional(),
  profiles: strict({ ci: profileScale.optional(), smoke: profileScale.optional() }).optional(),
  defaults: strict({
    headers: z.record(headerName, z.string()).optional(),
    basePath: z.string().regex(/^\/[^?#{}]*$/, { error: (iss) => `must be a path starting with "/", without a query or a {{template}}, like "/api/v1", got ${JSON.stringify(iss.input)}` }).optional(),
    timeout: duration(true).optional(),
  }).optional(),
  timeout: duration(true).optional(),
  saturation: strict({ maxLoopLagP99: duration(true).optional(), maxDroppedShare: z.number().min(0).max(1).optional() }).optional(),
  maxRedirects: wholeAtLeast(0).optional(),
  cookies: z.boolean().optional(),
  noCookiesReset: z.boolean().optional(),
  insecureSkipTLSVerify: z.boolean().optional(),
});

/** Schema and cross-field problems of a raw scenario, every one; `definition` is set when the schema holds. */
export function scenarioIssues(input: unknown): { definition?: ScenarioDefinition; issues: ConfigIssue[] } {
  const parsed = scenarioSchema.safeParse(input, { reportInput: true });
  const issues: ConfigIssue[] = parsed.success ? [] : zodIssuesToConfigIssues(parsed.error.issues);
  issues.push(...crossCheck(input));
  return { ...(parsed.success && issues.length === 0 ? { definition: parsed.data as ScenarioDefinition } : {}), issues: uniqueIssues(issues) };
}

/** The issues without repeats (same path and message). */
export function uniqueIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** The one ConfigError of an invalid scenario: `invalid scenario <source> (N problems)`. */
export function scenarioError(issues: ConfigIssue[], source?: string): ConfigError {
  const n = issues.length;
  return new ConfigError(issues, `invalid scenario${source ? ` ${source}` : ''} (${n} problem${n === 1 ? '' : 's'})`);
}

/** Validates a scenario (a parsed .json or a module's default export); throws one ConfigError listing every problem. */
export function validateScenario(input: unknown, source?: string): ScenarioDefinition {
  const { definition, issues } = scenarioIssues(input);
  if (!definition) throw scenarioError(issues, source);
  return definition;
}
