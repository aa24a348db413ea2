// Removes secrets from a scenario before it is written to run.json or printed: passwords in URLs, credential
// headers, and body or parameter fields named like secrets.

import type { ScenarioDefinition, Step } from './types.ts';

/** What a secret is replaced with. */
export const REDACTED = '***';

/** Field names (body fields, headers, fault params) whose values are secrets. */
export const SECRET_KEY = /pass(word|wd|phrase)?$|secret|token|api[-_]?key|authorization|cookie|credential|private[-_]?key|session/i;

/** A URL with its password (and any `password=`/`token=`-like query value) replaced by `***`. */
export function redactUrl(s: string): string {
  if (!s.includes('://')) return s;
  let out = s;
  // userinfo: scheme://user:password@host (also for postgres:// and redis:// URLs that URL parses loosely)
  out = out.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@:?#]*):([^/@?#]*)@/i, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  out = out.replace(/([?&])([^=&#]*)=([^&#]*)/g, (m, sep: string, key: string) => (SECRET_KEY.test(key) ? `${sep}${key}=${REDACTED}` : m));
  return out;
}

/** Recursively redacts strings that are URLs, and values of secret-named keys when `byKey` is set. */
function scrub(v: unknown, byKey: boolean): unknown {
  if (typeof v === 'string') return redactUrl(v);
  if (Array.isArray(v)) return v.map((x) => scrub(x, byKey));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = byKey && SECRET_KEY.test(k) && x !== undefined ? REDACTED : scrub(x, byKey);
    return out;
  }
  return v;
}

function redactStep(step: Step): Step {
  const out = scrub(step, false) as Step;
  if (out.type !== 'sql') {
    const original = step as typeof out;
    if (original.headers) out.headers = scrub(original.headers, true) as Record<string, string>;
    if (original.body !== undefined) {
      out.body = typeof original.body === 'string' ? redactFormBody(original.body) : scrub(original.body, true);
    }
  }
  return out;
}

/** A string body: `a=1&password=x` form fields are redacted by name. */
function redactFormBody(body: string): string {
  return body.replace(/(^|&)([^=&]*)=([^&]*)/g, (m, sep: string, key: string) => (SECRET_KEY.test(key) ? `${sep}${key}=${REDACTED}` : m));
}

/** A copy of the scenario safe to write out: URL passwords, credential headers and secret body fields are `***`. */
export function redactScenario(def: ScenarioDefinition): ScenarioDefinition {
  const out = scrub(def, false) as ScenarioDefinition;
  out.journeys = def.journeys.map((j) => ({ ...(scrub(j, false) as typeof j), steps: j.steps.map(redactStep) }));
  if (def.setup) out.setup = { ...def.setup, steps: def.setup.steps.map(redactStep) };
  if (def.faults) out.faults = def.faults.map((f) => scrub(f, true) as typeof f);
  if (def.collectors) out.collectors = scrub(def.collectors, false) as typeof def.collectors;
  if (def.connections) out.connections = scrub(def.connections, false) as typeof def.connections;
  return out;
}
