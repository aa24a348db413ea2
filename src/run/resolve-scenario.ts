// Turns what the caller passed (a definition, or a scenario name / file) into a validated, profiled definition.

import type { ProfileName } from '../results/format.ts';
import type { ScenarioDefinition } from '../scenario/types.ts';
import { loadScenario, resolveDefinition, type ResolvedScenario } from '../scenario/load.ts';
import { redactScenario } from '../scenario/redact.ts';

/** Loads (a name or file) or validates (a definition) the scenario, applies the profile and the --target override. */
export async function resolveScenario(
  scenario: string | ScenarioDefinition,
  opts: { profile: ProfileName; targetUrl?: string; cwd: string; env: Record<string, string | undefined> },
): Promise<ResolvedScenario> {
  const common = { profile: opts.profile, cwd: opts.cwd, env: opts.env };
  const resolved = typeof scenario === 'string' ? await loadScenario(scenario, common) : resolveDefinition(scenario, common);
  if (opts.targetUrl) resolved.definition.target = { ...resolved.definition.target, baseUrl: opts.targetUrl };
  return resolved;
}

/** The scenario as written into run.json: secrets redacted, bodies reduced to their shape unless `keepBodies`. */
export function redactForRunJson(def: ScenarioDefinition, keepBodies = false): unknown {
  return redactScenario(def, { keepBodies });
}
