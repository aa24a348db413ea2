// A scenario as a k6 script (pure): an ES module with no dependency beyond k6's own modules. The load becomes
// `options.scenarios` (the executor with its k6 fields), the client-side thresholds are copied verbatim, and the
// journeys travel as data that a small interpreter in the script runs the way perfgate does: a weighted journey
// pick, `{{var}}` templating (feeders, setup captures, earlier captures, __VU, __ITER, env), one `http.request` per
// step tagged with its `name`, `expect` as `http.expectedStatuses`, checks as `check()`, captures read from
// `res.json()`, think times as `sleep()`. Feeders are `SharedArray`s read with `open()`, picked as perfgate picks.
// What k6 cannot express is never dropped in silence: it is a note, written in the script and returned.

import { ConfigError } from '../errors.ts';
import { parseKey } from '../metrics/metric-key.ts';
import { CLIENT_TAGS } from '../metrics/aggregate.ts';
import { parseDurationMs } from './duration.ts';
import { parseThink } from './think.ts';
import type { DataFeeder, HttpStep, LoadOptions, ScenarioDefinition, Step } from './types.ts';
import { journeysOf, scenarioParts, singleLoad } from './scenarios.ts';

/** The exported script and what it could not carry over. */
export interface K6Export {
  script: string;
  notes: string[];
}

/** A step as the script's interpreter reads it. */
interface ScriptStep {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  think?: [number, number];
  check?: HttpStep['check'];
  capture?: Record<string, string>;
  expect?: number[];
  timeout?: string;
  redirects?: number;
}

function scriptStep(step: Step, where: string, def: ScenarioDefinition, notes: string[]): ScriptStep {
  if (step.type === 'sql') {
    throw new ConfigError([{ path: where, message: `step "${step.name}" is a sql step, which k6 cannot run (it has no PostgreSQL client)` }], 'cannot export to k6');
  }
  if (step.redirectHeaders?.length) notes.push(`${where}.redirectHeaders: k6 drops no header on a redirect to another origin; perfgate forwards only ${step.redirectHeaders.join(', ')}`);
  if (step.check?.fail) notes.push(`${where}.check.fail: a failed check does not fail the request in k6 (it counts in checks only)`);
  const think = step.think ? parseThink(step.think, `${where}.think`) : undefined;
  const timeout = step.timeout ?? def.timeout;
  return {
    name: step.name,
    method: step.method ?? 'GET',
    path: step.path,
    ...(step.headers ? { headers: step.headers } : {}),
    ...(step.body !== undefined ? { body: step.body } : {}),
    ...(think ? { think: [think.minMs / 1000, think.maxMs / 1000] as [number, number] } : {}),
    ...(step.check ? { check: step.check } : {}),
    ...(step.capture ? { capture: step.capture } : {}),
    ...(step.expect ? { expect: step.expect } : {}),
    ...(timeout ? { timeout } : {}),
    ...(step.redirects !== undefined ? { redirects: step.redirects } : {}),
  };
}

/** The executor's k6 fields, stage names (perfgate's phases) left out. */
function k6Executor(executor: LoadOptions): Record<string, unknown> {
  const load = { ...executor } as Record<string, unknown>;
  if (Array.isArray(load.stages)) load.stages = (load.stages as Array<{ duration: string; target: number }>).map((s) => ({ duration: s.duration, target: s.target }));
  return load;
}

/** options.scenarios: the single load under the scenario's name, or each entry of the map with its startTime. */
function k6Scenarios(def: ScenarioDefinition): Record<string, unknown> {
  if (!def.scenarios) return { [def.name]: k6Executor(singleLoad(def, 'export k6')) };
  return Object.fromEntries(
    Object.entries(def.scenarios).map(([name, entry]) => {
      const { exec: _exec, startTime, ...load } = entry;
      return [name, { ...k6Executor(load as LoadOptions), ...(startTime !== undefined ? { startTime } : {}) }];
    }),
  );
}

/** The journeys and weights of each scenario that has an `exec`, by scenario name (the script picks from them). */
function scenarioWeights(def: ScenarioDefinition): Record<string, Record<string, number>> | undefined {
  const parts = def.scenarios ? scenarioParts(def).filter((p) => p.exec !== undefined) : [];
  if (parts.length === 0) return undefined;
  return Object.fromEntries(parts.map((p) => [p.name, Object.fromEntries(journeysOf(def.journeys, p.exec).map((j) => [j.name, j.weight ?? 1]))]));
}

/** Client-side thresholds, verbatim; the rest are notes (perfgate judges them after the import). */
function k6Thresholds(def: ScenarioDefinition, notes: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, list] of Object.entries(def.thresholds ?? {})) {
    const { metric, tags } = parseKey(key);
    if (!Object.hasOwn(CLIENT_TAGS, metric) || metric.startsWith('sql_')) notes.push(`threshold ${key}: a server-side metric, judged by perfgate after the import`);
    else if (tags.phase !== undefined) notes.push(`threshold ${key}: k6 has no phase tag, so perfgate judges it after the import`);
    else out[key] = list;
  }
  return out;
}

function feederSpec(name: string, f: DataFeeder): string {
  const pick = typeof f.pick === 'object' ? `{ zipf: ${f.pick.zipf} }` : JSON.stringify(f.pick ?? 'random');
  const rows = `new SharedArray(${JSON.stringify(name)}, () => readRows(open(${JSON.stringify(f.file)}), ${JSON.stringify(f.file)}, ${JSON.stringify(f.column ?? null)}))`;
  return `  ${JSON.stringify(name)}: feeder(${rows}, ${pick}),`;
}

/** Exports a (profiled) scenario as a k6 script; throws ConfigError for what k6 cannot run (sql steps). */
export function k6Script(def: ScenarioDefinition, opts: { profile?: string } = {}): K6Export {
  // journeys, setup -> interpreter data; load -> options.scenarios; thresholds -> client ones, the rest notes
  const notes: string[] = [];
  const journeys = def.journeys.map((j, i) => ({ name: j.name, weight: j.weight ?? 1, steps: j.steps.map((s, k) => scriptStep(s, `journeys[${i}].steps[${k}]`, def, notes)) }));
  const setupSteps = (def.setup?.steps ?? []).map((s, k) => scriptStep(s, `setup.steps[${k}]`, def, notes));
  if (def.setup?.refreshEvery) notes.push(`setup.refreshEvery (${def.setup.refreshEvery}): k6 runs setup() once, so tokens that expire during the run are not refreshed`);
  const thresholds = k6Thresholds(def, notes);
  if (def.capacity) notes.push('capacity: the breaking point is searched by perfgate after the import');
  if (def.alerts) notes.push('alerts: the alert rules are evaluated by perfgate after the import');
  if (def.faults?.length) notes.push('faults: injected by the perfgate lab only; none is injected in k6');
  if (def.maxRedirects !== undefined) notes.push(`maxRedirects ${def.maxRedirects}: k6 counts a redirect chain as one request per hop, perfgate as one request`);
  const options: Record<string, unknown> = { scenarios: k6Scenarios(def), thresholds };
  const weights = scenarioWeights(def);
  if (def.insecureSkipTLSVerify) options.insecureSkipTLSVerify = true;
  if (def.maxRedirects !== undefined) options.maxRedirects = def.maxRedirects;
  if (def.timeout) parseDurationMs(def.timeout, 'timeout');
  const feeders = Object.entries(def.data ?? {}).map(([name, f]) => feederSpec(name, f));
  const header = [
    `// k6 script of the perfgate scenario "${def.name}"${opts.profile ? ` (profile ${opts.profile})` : ''}, written by perfgate export k6.`,
    '// Run it with `k6 run --out json=results.json.gz`, then `perfgate import k6 results.json.gz --scenario <scenario>`.',
    ...(notes.length ? ['// Not carried over to k6:', ...notes.map((n) => `//   - ${n}`)] : []),
  ];
  const script = [
    ...header,
    '',
    "import http from 'k6/http';",
    "import { check, sleep } from 'k6';",
    "import exec from 'k6/execution';",
    "import { SharedArray } from 'k6/data';",
    '',
    `export const options = ${JSON.stringify(options, null, 2)};`,
    '',
    `const BASE_URL = __ENV.BASE_URL || ${JSON.stringify(def.target.baseUrl)};`,
    `const JOURNEYS = ${JSON.stringify(journeys, null, 2)};`,
    `const SETUP = ${JSON.stringify(setupSteps, null, 2)};`,
    RUNTIME,
    'const FEEDERS = {',
    ...feeders,
    '};',
    // A scenario with `exec` runs its own journeys at its own weights (k6 names the running scenario in exec.scenario).
    ...(weights ? [`const SCENARIO_JOURNEYS = ${JSON.stringify(weights, null, 2)};`, PICK_BY_SCENARIO] : []),
    weights ? byScenario(MAIN) : MAIN,
  ].join('\n');
  return { script: `${script}\n`, notes };
}

/** The interpreter: templating, feeders, one step, a journey. Plain ES2020 that k6 and `tsc --checkJs` accept. */
const RUNTIME = String.raw`
/** @param {string} text @param {string} file @param {string | null} column @returns {unknown[]} */
function readRows(text, file, column) {
  if (file.endsWith('.json')) {
    /** @type {Array<Record<string, unknown>>} */
    const rows = JSON.parse(text);
    return column === null ? rows : rows.map((r) => r[column]);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = lines[0].split(',').map((h) => h.trim());
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    /** @type {Record<string, string>} */
    const row = {};
    head.forEach((h, i) => { row[h] = (cells[i] || '').trim(); });
    return column === null ? row : row[column];
  });
}

/** @param {unknown[]} rows @param {string | { zipf: number }} pick */
function feeder(rows, pick) {
  const s = pick === 'zipf' ? 1 : typeof pick === 'object' ? pick.zipf : 0;
  /** @type {number[]} */
  const cumulative = [];
  let total = 0;
  if (s > 0) for (let k = 1; k <= rows.length; k++) cumulative.push((total += 1 / Math.pow(k, s)));
  return {
    /** @returns {unknown} */
    next() {
      const n = rows.length;
      if (pick === 'sequential') return rows[exec.scenario.iterationInTest % n];
      if (pick === 'unique') return rows[(exec.vu.idInTest - 1) % n];
      if (s === 0) return rows[Math.floor(Math.random() * n)];
      const x = Math.random() * total;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] > x) hi = mid; else lo = mid + 1;
      }
      return rows[lo];
    },
  };
}

/** @param {Record<string, unknown>} vars @param {string} name @returns {unknown} */
function lookup(vars, name) {
  if (name.startsWith('env.')) return __ENV[name.slice(4)];
  /** @type {unknown} */
  let v = vars;
  for (const part of name.split('.')) v = v !== null && typeof v === 'object' ? /** @type {Record<string, unknown>} */ (v)[part] : undefined;
  return v;
}

/** @param {string} text @param {Record<string, unknown>} vars @param {boolean} encode @returns {string} */
function render(text, vars, encode) {
  return text.replace(/\{\{([^{}]*)\}\}/g, (_, name) => {
    const v = lookup(vars, String(name).trim());
    const s = v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
    return encode ? encodeURIComponent(s) : s;
  });
}

/** @param {unknown} body @param {Record<string, unknown>} vars @returns {unknown} */
function renderBody(body, vars) {
  if (typeof body === 'string') return render(body, vars, false);
  if (Array.isArray(body)) return body.map((b) => renderBody(b, vars));
  if (body !== null && typeof body === 'object') {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const [k, v] of Object.entries(body)) out[k] = renderBody(v, vars);
    return out;
  }
  return body;
}

/** @param {unknown} value @param {string} path @returns {unknown} */
function jsonPath(value, path) {
  /** @type {unknown} */
  let v = value;
  for (const part of path.replace(/^\$\.?/, '').replace(/\[(\d+)\]/g, '.$1').split('.').filter((p) => p !== '')) {
    v = v !== null && typeof v === 'object' ? /** @type {Record<string, unknown>} */ (v)[part] : undefined;
  }
  return v;
}

/**
 * One step: the request with its name tag, its checks, its captures into vars, its think time.
 * @param {any} step @param {Record<string, unknown>} vars
 */
function runStep(step, vars) {
  /** @type {Record<string, string>} */
  const headers = {};
  for (const [k, v] of Object.entries(step.headers || {})) headers[k] = render(String(v), vars, false);
  let body = step.body === undefined ? null : renderBody(step.body, vars);
  if (body !== null && typeof body !== 'string') {
    body = JSON.stringify(body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  /** @type {import('k6/http').RefinedParams<'text'>} */
  const params = { headers, tags: { name: step.name } };
  if (step.expect) params.responseCallback = http.expectedStatuses(...step.expect);
  if (step.timeout) params.timeout = step.timeout;
  if (step.redirects !== undefined) params.redirects = step.redirects;
  const res = http.request(step.method, BASE_URL + render(step.path, vars, true), /** @type {string | null} */ (body), params);
  if (step.check) {
    const c = step.check;
    /** @type {Record<string, (r: import('k6/http').RefinedResponse<'text'>) => boolean>} */
    const checks = {};
    if (c.status !== undefined) {
      const want = Array.isArray(c.status) ? c.status : [c.status];
      checks[step.name + ' status ' + want.join('|')] = (r) => want.includes(r.status);
    }
    if (c.bodyIncludes !== undefined) checks[step.name + ' body includes'] = (r) => String(r.body).includes(c.bodyIncludes);
    if (c.jsonPath !== undefined) checks[step.name + ' has ' + c.jsonPath] = (r) => { try { return jsonPath(r.json(), c.jsonPath) !== undefined; } catch (e) { return false; } };
    check(res, checks, { name: step.name });
  }
  if (step.capture) {
    /** @type {unknown} */
    let parsed;
    try { parsed = res.json(); } catch (e) { parsed = undefined; }
    for (const [name, path] of Object.entries(step.capture)) vars[name] = jsonPath(parsed, String(path));
  }
  if (step.think) sleep(step.think[0] + Math.random() * (step.think[1] - step.think[0]));
}
`;

/** The journeys of the running scenario, reweighted by SCENARIO_JOURNEYS (every journey for a scenario without exec). */
const PICK_BY_SCENARIO = String.raw`
/** @param {string} name */
function journeysOfScenario(name) {
  /** @type {Record<string, Record<string, number>>} */
  const chosen = SCENARIO_JOURNEYS;
  const weights = chosen[name];
  if (!weights) return JOURNEYS;
  return JOURNEYS.filter((j) => j.name in weights).map((j) => Object.assign({}, j, { weight: weights[j.name] }));
}`;

/** The main function picking from the running scenario's journeys instead of all of them. */
function byScenario(main: string): string {
  const pick = '  let x = Math.random() * JOURNEYS.reduce(';
  return main
    .replace(pick, `  const pool = journeysOfScenario(exec.scenario.name);\n${pick.replace('JOURNEYS', 'pool')}`)
    .replace('let journey = JOURNEYS[JOURNEYS.length - 1];', 'let journey = pool[pool.length - 1];')
    .replace('for (const j of JOURNEYS) {', 'for (const j of pool) {');
}

const MAIN = String.raw`
export function setup() {
  /** @type {Record<string, unknown>} */
  const vars = { __VU: 0 };
  for (const step of SETUP) runStep(step, vars);
  return vars;
}

/** @param {Record<string, unknown>} data */
export default function (data) {
  /** @type {Record<string, unknown>} */
  const vars = Object.assign({}, data, { __VU: exec.vu.idInTest, __ITER: exec.vu.iterationInScenario });
  for (const [name, f] of Object.entries(FEEDERS)) vars[name] = f.next();
  let x = Math.random() * JOURNEYS.reduce((a, j) => a + j.weight, 0);
  let journey = JOURNEYS[JOURNEYS.length - 1];
  for (const j of JOURNEYS) {
    if (x < j.weight) { journey = j; break; }
    x -= j.weight;
  }
  for (const step of journey.steps) runStep(step, vars);
}
`;
