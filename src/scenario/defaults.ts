// Scenario-wide defaults (`defaults`): headers, a base path and a timeout that every journey step gets unless it sets
// its own. Setup steps are left as written: they run once, before the load, usually to fetch the very token the
// default headers carry, and often outside the API's base path (`/auth/token` beside `/api/v1`). Pure.

import type { HttpStep, ScenarioDefaults, Step } from './types.ts';

/**
 * A journey step with the scenario's defaults applied: the default headers under the step's own (a step's header of
 * the same name, in any case, wins), the base path before the step's path, and the default timeout when the step
 * sets none. sql steps take the timeout only.
 */
export function withDefaults(step: Step, defaults: ScenarioDefaults | undefined): Step {
  if (!defaults) return step;
  const timeout = step.timeout ?? defaults.timeout;
  if (step.type === 'sql') return timeout === undefined ? step : { ...step, timeout };
  const out: HttpStep = { ...step };
  if (timeout !== undefined) out.timeout = timeout;
  if (defaults.basePath) out.path = joinPath(defaults.basePath, step.path);
  if (defaults.headers) out.headers = mergeHeaders(defaults.headers, step.headers);
  return out;
}

/** The base path and a step path joined with exactly one slash between them (`/api/v1` + `/companies`). */
export function joinPath(basePath: string, path: string): string {
  const base = basePath.replace(/\/+$/, '');
  return base === '' ? path : `${base}${path.startsWith('/') ? '' : '/'}${path}`;
}

/** Default headers overlaid with a step's own; names compare case-insensitively, the step's spelling wins. */
export function mergeHeaders(defaults: Record<string, string>, own: Record<string, string> | undefined): Record<string, string> {
  if (!own) return { ...defaults };
  const ownLower = new Set(Object.keys(own).map((k) => k.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(defaults)) if (!ownLower.has(k.toLowerCase())) out[k] = v;
  return Object.assign(out, own);
}
