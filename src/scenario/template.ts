// `{{var}}` templating for paths, headers and bodies, compiled once so the per-request cost is a few string
// concatenations: `{{name}}`, `{{name.field}}` (a field of a data row or a captured object), `{{env.NAME}}`.

import { ConfigError } from '../errors.ts';
import type { ScenarioDefinition } from './types.ts';

/** Values a template can read: captures, data rows, setup output, and `env` (the process environment). */
export interface TemplateVars {
  [name: string]: unknown;
  env?: Record<string, string | undefined>;
}

/** A compiled template: renders with the given variables; throws ConfigError naming an unknown variable. */
export type TemplateFn = (vars: TemplateVars) => string;

/** Options of compileTemplate. */
export interface TemplateOptions {
  /** URL-encode inserted values (encodeURIComponent); use for paths. */
  urlEncode?: boolean;
  /** Field path used in error messages, e.g. `journeys[0].steps[1].path`. */
  field?: string;
}

/** Variables every VU has without declaring them (k6 names): the VU number and its iteration. */
export const BUILTIN_TEMPLATE_VARS = ['__VU', '__ITER'] as const;

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const NAME = /^[A-Za-z_$][\w$-]*(?:\.[\w$-]+)*$/;

type Getter = (vars: TemplateVars) => unknown;

/** Lists the variable names a template string uses (`ticker`, `row.id`, `env.TOKEN`), in order. */
export function templateVarNames(s: string, field = ''): string[] {
  const names: string[] = [];
  for (const part of split(s, field)) if (typeof part !== 'string') names.push(part.name);
  return names;
}

/** True when the string contains at least one `{{...}}` placeholder. */
export function hasTemplate(s: string): boolean {
  return s.includes('{{');
}

function split(s: string, field: string): (string | { name: string })[] {
  const parts: (string | { name: string })[] = [];
  let last = 0;
  for (const m of s.matchAll(PLACEHOLDER)) {
    const name = m[1]!.trim();
    if (!NAME.test(name)) {
      throw new ConfigError(
        [{ path: field, message: `invalid template placeholder "${m[0]}" (expected {{name}}, {{name.field}} or {{env.NAME}})` }],
        'invalid template',
      );
    }
    if (m.index > last) parts.push(s.slice(last, m.index));
    parts.push({ name });
    last = m.index + m[0].length;
  }
  if (last < s.length) parts.push(s.slice(last));
  const rest = parts.filter((p): p is string => typeof p === 'string').join('');
  if (rest.includes('{{') || rest.includes('}}')) {
    throw new ConfigError([{ path: field, message: `unbalanced "{{" or "}}" in template "${s}"` }], 'invalid template');
  }
  return parts;
}

/** Builds a getter for `a`, `a.b.c` or `env.NAME` that throws when the variable is missing. */
function getter(name: string, field: string): Getter {
  const [head, ...rest] = name.split('.') as [string, ...string[]];
  const missing = (): never => {
    const hint =
      head === 'env'
        ? `environment variable ${rest.join('.')} is not set`
        : 'no capture, data feeder or setup value provides it';
    throw new ConfigError([{ path: field, message: `unknown template variable "${name}": ${hint}` }], 'template error');
  };
  if (rest.length === 0) {
    return (vars) => {
      const v = vars[head];
      return v === undefined ? missing() : v;
    };
  }
  return (vars) => {
    let cur: unknown = vars[head];
    for (let i = 0; i < rest.length; i++) {
      if (cur === null || typeof cur !== 'object') return missing();
      cur = (cur as Record<string, unknown>)[rest[i]!];
    }
    return cur === undefined ? missing() : cur;
  };
}

/** Text for a value: strings as they are, null as '', objects as JSON. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Compiles a template string once into a render function (no regex at render time). */
export function compileTemplate(s: string, opts: TemplateOptions = {}): TemplateFn {
  const field = opts.field ?? '';
  const parts = split(s, field);
  const enc = opts.urlEncode ? (v: unknown) => encodeURIComponent(text(v)) : text;
  if (parts.length === 0) return () => '';
  if (parts.every((p) => typeof p === 'string')) {
    const constant = parts.join('');
    return () => constant;
  }
  const pieces = parts.map((p) => (typeof p === 'string' ? p : getter(p.name, field)));
  if (pieces.length === 1) {
    const g = pieces[0] as Getter;
    return (vars) => enc(g(vars));
  }
  const n = pieces.length;
  return (vars) => {
    let out = '';
    for (let i = 0; i < n; i++) {
      const p = pieces[i]!;
      out += typeof p === 'string' ? p : enc(p(vars));
    }
    return out;
  };
}

/**
 * Compiles a request body once. A string body is a plain template (sent as it is); any other value is JSON,
 * templated recursively and serialised once per request. A string that is exactly one placeholder keeps the
 * value's type (`"{{qty}}"` with qty = 3 gives `3`). A body without placeholders is serialised once, here.
 */
export function compileBodyTemplate(body: unknown, field = ''): TemplateFn {
  if (typeof body === 'string') return compileTemplate(body, { field });
  if (!containsTemplate(body)) {
    const constant = JSON.stringify(body) ?? '';
    return () => constant;
  }
  const build = compileValue(body, field);
  return (vars) => JSON.stringify(build(vars));
}

function containsTemplate(v: unknown): boolean {
  if (typeof v === 'string') return hasTemplate(v);
  if (Array.isArray(v)) return v.some(containsTemplate);
  if (v && typeof v === 'object') return Object.values(v).some(containsTemplate);
  return false;
}

function compileValue(v: unknown, field: string): Getter {
  if (typeof v === 'string') {
    if (!hasTemplate(v)) return () => v;
    const parts = split(v, field);
    if (parts.length === 1 && typeof parts[0] !== 'string') return getter(parts[0]!.name, field);
    return compileTemplate(v, { field });
  }
  if (Array.isArray(v)) {
    const items = v.map((x, i) => compileValue(x, `${field}[${i}]`));
    return (vars) => items.map((g) => g(vars));
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).map(([k, x]) => [k, compileValue(x, `${field}.${k}`)] as const);
    return (vars) => {
      const out: Record<string, unknown> = {};
      for (const [k, g] of entries) out[k] = g(vars);
      return out;
    };
  }
  return () => v;
}

/** One use of a template variable in a scenario, and whether anything declares it. */
export interface TemplateVarUse {
  /** Field path of the string using it, e.g. `journeys[0].steps[1].headers.authorization`. */
  path: string;
  /** The variable as written: `ticker`, `row.id`, `env.TOKEN`. */
  name: string;
  /**
   * False when nothing provides it before the step runs: no data feeder (journeys only), setup capture, capture of an
   * earlier step of the same journey or setup, builtin, or (when `env` is given) environment variable.
   */
  provided: boolean;
  /** Journey (or `setup`) and step name of the use, for messages. */
  journey: string;
  step: string;
  /** When a later step of the same journey (or setup) captures it: that step's path, e.g. `journeys[0].steps[2]`. */
  capturedLater?: string;
  /** The variables that were available to the step (for "did you mean" hints). */
  known: string[];
}

type Loose = Record<string, unknown>;
const isLoose = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const looseList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Finds every template variable a scenario uses, in order, marking those nothing provides before the step runs.
 * It reads the definition loosely, so it also works on a scenario the schema refused.
 */
export function findTemplateVars(
  def: ScenarioDefinition | unknown,
  opts: { env?: Record<string, string | undefined> } = {},
): TemplateVarUse[] {
  if (!isLoose(def)) return [];
  const setup = isLoose(def.setup) ? looseList(def.setup.steps) : [];
  const setupCaptures = setup.flatMap(captures);
  const feeders = isLoose(def.data) ? Object.keys(def.data) : [];
  const out: TemplateVarUse[] = [];
  // setup runs once, on one VU, before the load: no feeder row and no iteration yet
  scanSteps(setup, 'setup', 'setup', ['__VU'], opts.env, out);
  // defaults.headers go on every journey step, the first included: what every journey has before its first capture
  const defaults = isLoose(def.defaults) && isLoose(def.defaults.headers) ? def.defaults.headers : {};
  const headerStep = { name: 'headers', headers: defaults };
  scanSteps([headerStep], 'defaults', 'defaults', [...BUILTIN_TEMPLATE_VARS, ...feeders, ...setupCaptures], opts.env, out);
  for (const u of out) if (u.path.startsWith('defaults.steps[0].')) u.path = u.path.replace('defaults.steps[0].', 'defaults.');
  looseList(def.journeys).forEach((j, i) => {
    if (!isLoose(j)) return;
    const name = typeof j.name === 'string' ? j.name : `journeys[${i}]`;
    scanSteps(looseList(j.steps), `journeys[${i}]`, name, [...BUILTIN_TEMPLATE_VARS, ...feeders, ...setupCaptures], opts.env, out);
  });
  return out;
}

/** Scans a step sequence in order: each step sees `given` and the captures of the steps before it. */
function scanSteps(steps: unknown[], base: string, journey: string, given: string[], env: Record<string, string | undefined> | undefined, out: TemplateVarUse[]): void {
  const known = new Set(given);
  steps.forEach((step, i) => {
    if (!isLoose(step)) return;
    const at = `${base}.steps[${i}]`;
    const stepName = typeof step.name === 'string' ? step.name : `steps[${i}]`;
    for (const [path, s] of stepStrings(step, at)) {
      for (const name of safeNames(s)) {
        const [head, ...rest] = name.split('.') as [string, ...string[]];
        const provided = head === 'env' && rest.length > 0 ? !env || env[rest.join('.')] !== undefined : known.has(head);
        const later = provided || head === 'env' ? -1 : steps.findIndex((x, k) => k >= i && isLoose(x) && captures(x).includes(head));
        out.push({
          path, name, provided, journey, step: stepName, known: [...known],
          ...(later >= 0 ? { capturedLater: `${base}.steps[${later}]` } : {}),
        });
      }
    }
    for (const k of captures(step)) known.add(k);
  });
}

function captures(step: unknown): string[] {
  return isLoose(step) && isLoose(step.capture) ? Object.keys(step.capture) : [];
}

function safeNames(s: string): string[] {
  try {
    return templateVarNames(s);
  } catch {
    return []; // syntax errors are reported by validation
  }
}

/** The templated strings of a step (path, headers, body) with their field paths; sql steps have none. */
function stepStrings(step: Loose, at: string): [string, string][] {
  if (step.type === 'sql') return [];
  const out: [string, string][] = [];
  if (typeof step.path === 'string') out.push([`${at}.path`, step.path]);
  if (isLoose(step.headers)) for (const [k, v] of Object.entries(step.headers)) if (typeof v === 'string') out.push([`${at}.headers.${k}`, v]);
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'string') out.push([path, v]);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (isLoose(v)) for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(step.body, `${at}.body`);
  return out.filter(([, s]) => hasTemplate(s));
}
