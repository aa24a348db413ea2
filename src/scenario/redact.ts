// Removes secrets from a scenario before it is written to run.json or printed: passwords in URLs, credential
// headers, and body or parameter fields named like secrets.

import { redactDeep, redactParams, redactText, redactUrl } from '../redact.ts';
import type { ScenarioDefinition, Step } from './types.ts';

/** Recursively redacts strings that are URLs, and every value of a secret-named key when `byKey` is set. */
function scrub(v: unknown, byKey: boolean): unknown {
  return redactDeep(v, { text: redactUrl, byKey: byKey ? 'all' : 'none' });
}

function redactStep(step: Step): Step {
  const out = scrub(step, false) as Step;
  if (out.type !== 'sql') {
    const original = step as typeof out;
    if (original.headers) out.headers = scrub(original.headers, true) as Record<string, string>;
    if (original.body !== undefined) {
      out.body = typeof original.body === 'string' ? redactParams(redactText(original.body)) : scrub(original.body, true);
    }
  }
  return out;
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
