// Rules that span fields (k6's Validate() rules and references between sections). They run on the raw input,
// whatever its shape, so they report alongside the schema's own problems.

import { ConfigError, type ConfigIssue } from '../errors.ts';
import { compileBodyTemplate, compileTemplate } from './template.ts';
import { BUILTIN_TAGS } from '../metrics/scenario-tags.ts';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Cross-field problems of a raw scenario: load rules, journey names, sql connections, template syntax. */
export function crossCheck(input: unknown): ConfigIssue[] {
  if (!isObj(input)) return [];
  const out: ConfigIssue[] = [];
  if (isObj(input.load)) out.push(...checkLoad(input.load));
  out.push(...checkScenarios(input));
  if (input.cookies === false && input.noCookiesReset === true) {
    out.push({ path: 'noCookiesReset', message: 'keeps cookies from one iteration to the next, but cookies is false (no cookie jar): drop one of them' });
  }
  const connections = isObj(input.connections) ? Object.keys(input.connections) : [];
  const firstByName = new Map<string, number>();
  list(input.journeys).forEach((j, i) => {
    if (!isObj(j)) return;
    if (typeof j.name === 'string') {
      const first = firstByName.get(j.name);
      if (first === undefined) firstByName.set(j.name, i);
      else out.push({ path: `journeys[${i}].name`, message: `duplicate journey name "${j.name}" (also journeys[${first}])` });
    }
    out.push(...checkSteps(j.steps, `journeys[${i}]`, connections));
  });
  if (isObj(input.setup)) out.push(...checkSteps(input.setup.steps, 'setup', connections));
  if (isObj(input.defaults) && isObj(input.defaults.headers)) {
    for (const [k, v] of Object.entries(input.defaults.headers)) {
      if (typeof v !== 'string') continue;
      try {
        compileTemplate(v, { field: `defaults.headers.${k}` });
      } catch (err) {
        if (err instanceof ConfigError) out.push(...err.issues);
        else throw err;
      }
    }
  }
  return out;
}

function checkLoad(load: Obj, at = 'load'): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const k of isObj(load.tags) ? Object.keys(load.tags) : []) {
    if (BUILTIN_TAGS.includes(k)) out.push({ path: `${at}.tags.${k}`, message: `"${k}" is a tag perfgate sets itself (${BUILTIN_TAGS.join(', ')}): name the tag otherwise` });
  }
  const targets = list(load.stages).map((s) => (isObj(s) ? num(s.target) : undefined));
  switch (load.executor) {
    case 'ramping-vus': {
      const start = num(load.startVUs) ?? 1;
      if (targets.length > 0 && start === 0 && targets.every((t) => t === 0)) {
        out.push({ path: `${at}.stages`, message: 'startVUs and every stage target are 0, so no VU would ever run' });
      }
      break;
    }
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const pre = num(load.preAllocatedVUs);
      const max = num(load.maxVUs);
      if (pre !== undefined && max !== undefined && max < pre) {
        out.push({ path: `${at}.maxVUs`, message: `must be at least preAllocatedVUs (${pre}), got ${max}` });
      }
      if (pre === 0 && (max === undefined || max === 0)) {
        out.push({ path: `${at}.preAllocatedVUs`, message: 'preAllocatedVUs and maxVUs are both 0, so no iteration could run' });
      }
      if (load.executor === 'ramping-arrival-rate') {
        const start = num(load.startRate) ?? 0;
        if (targets.length > 0 && start === 0 && targets.every((t) => t === 0)) {
          out.push({ path: `${at}.stages`, message: 'startRate and every stage target are 0, so no iteration would ever start' });
        }
      }
      break;
    }
    case 'shared-iterations': {
      // k6: "the number of iterations can't be less than the number of VUs" (each VU runs one at least).
      const vus = num(load.vus) ?? 1;
      const iterations = num(load.iterations) ?? 1;
      if (iterations >= 1 && iterations < vus) out.push({ path: `${at}.iterations`, message: `must be at least vus (${vus}): each VU runs one iteration at least, got ${iterations}` });
      break;
    }
  }
  return out;
}

/** `load` or `scenarios`, exactly one; each scenario's executor rules; `exec` names journeys that exist. */
function checkScenarios(input: Obj): ConfigIssue[] {
  const hasLoad = input.load !== undefined;
  if (!isObj(input.scenarios)) {
    return hasLoad || input.scenarios !== undefined ? [] : [{ path: 'load', message: 'required: the executor of the run (or a `scenarios` map of several executors)' }];
  }
  if (hasLoad) return [{ path: 'scenarios', message: 'a run has `load` (one executor) or `scenarios` (several), not both: move the load into the map' }];
  const entries = Object.entries(input.scenarios);
  if (entries.length === 0) return [{ path: 'scenarios', message: 'names no scenario: give at least one, or use `load`' }];
  const journeys = list(input.journeys).flatMap((j) => (isObj(j) && typeof j.name === 'string' ? [j.name] : []));
  const out: ConfigIssue[] = [];
  for (const [name, entry] of entries) {
    if (!isObj(entry)) continue;
    out.push(...checkLoad(entry, `scenarios.${name}`));
    const exec = entry.exec;
    const named = typeof exec === 'string' ? [exec] : Array.isArray(exec) ? exec : isObj(exec) ? Object.keys(exec) : [];
    for (const j of named) {
      if (typeof j === 'string' && !journeys.includes(j)) out.push({ path: `scenarios.${name}.exec`, message: `"${j}" names no journey (journeys: ${journeys.join(', ') || 'none'})` });
    }
  }
  return out;
}

function checkSteps(steps: unknown, base: string, connections: string[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  list(steps).forEach((step, i) => {
    if (!isObj(step)) return;
    const at = `${base}.steps[${i}]`;
    if (step.type === 'sql') {
      if (typeof step.connection === 'string' && step.connection && !connections.includes(step.connection)) {
        const known = connections.length ? `connections: ${connections.join(', ')}` : 'the scenario defines no connections';
        out.push({ path: `${at}.connection`, message: `unknown connection "${step.connection}" (${known})` });
      }
      return;
    }
    const tryCompile = (compile: () => unknown) => {
      try {
        compile();
      } catch (err) {
        if (err instanceof ConfigError) out.push(...err.issues);
        else throw err;
      }
    };
    if (typeof step.path === 'string') tryCompile(() => compileTemplate(step.path as string, { field: `${at}.path` }));
    if (isObj(step.headers)) {
      for (const [k, v] of Object.entries(step.headers)) {
        if (typeof v === 'string') tryCompile(() => compileTemplate(v, { field: `${at}.headers.${k}` }));
      }
    }
    if (step.body !== undefined) tryCompile(() => compileBodyTemplate(step.body, `${at}.body`));
  });
  return out;
}
