// Removes secrets from a scenario before it is written to run.json or printed: passwords in URLs, secret-named
// headers, query parameters and fields (the rule in src/redact.ts), and bodies reduced to their shape.

import { redactDeep, redactParams, redactText, redactUrl, shapeOf } from '../redact.ts';
import type { ScenarioDefinition, Step } from './types.ts';

/** Recursively redacts strings that are URLs, and every value of a secret-named key when `byKey` is set. */
function scrub(v: unknown, byKey: boolean): unknown {
  return redactDeep(v, { text: redactUrl, byKey: byKey ? 'all' : 'none' });
}

/** How much of the requests run.json keeps. */
export interface RedactScenarioOptions {
  /** Keep bodies and sql parameters (secret-named fields and secret pairs still redacted); by default only their shape is kept. */
  keepBodies?: boolean;
}

function redactStep(step: Step, keepBodies: boolean): Step {
  const out = scrub(step, false) as Step;
  if (out.type === 'sql') {
    if (step.type === 'sql' && step.params !== undefined && !keepBodies) out.params = shapeOf(step.params) as unknown[];
    return out;
  }
  const original = step as typeof out;
  if (original.headers) out.headers = scrub(original.headers, true) as Record<string, string>;
  if (original.body !== undefined) {
    if (!keepBodies) out.body = shapeOf(original.body);
    else out.body = typeof original.body === 'string' ? redactParams(redactText(original.body)) : scrub(original.body, true);
  }
  return out;
}

/**
 * A copy of the scenario safe to write out: URL passwords, secret-named headers, query parameters and fields are `***`,
 * and bodies are reduced to their shape (keys and types) unless `keepBodies`.
 */
export function redactScenario(def: ScenarioDefinition, opts: RedactScenarioOptions = {}): ScenarioDefinition {
  const keep = opts.keepBodies ?? false;
  const out = scrub(def, false) as ScenarioDefinition;
  out.journeys = def.journeys.map((j) => ({ ...(scrub(j, false) as typeof j), steps: j.steps.map((s) => redactStep(s, keep)) }));
  if (def.setup) out.setup = { ...def.setup, steps: def.setup.steps.map((s) => redactStep(s, keep)) };
  if (def.defaults?.headers) out.defaults = { ...out.defaults, headers: scrub(def.defaults.headers, true) as Record<string, string> };
  if (def.faults) out.faults = def.faults.map((f) => scrub(f, true) as typeof f);
  if (def.collectors) out.collectors = scrub(def.collectors, false) as typeof def.collectors;
  if (def.connections) out.connections = scrub(def.connections, false) as typeof def.connections;
  if (def.tlsCa) out.tlsCa = `(${def.tlsCa.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0} CA certificate(s), PEM)`; // public, but long: named, not copied
  return out;
}
