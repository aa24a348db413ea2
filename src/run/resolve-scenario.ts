// Turns what the caller passed (a definition, or a scenario name / file) into a validated, profiled definition.

import type { ProfileName } from '../results/format.ts';
import type { ScenarioDefinition } from '../scenario/types.ts';
import { loadScenario, resolveDefinition, type ResolvedScenario } from '../scenario/load.ts';
import { redactScenario } from '../scenario/redact.ts';
import type { LoadOverrides } from '../scenario/overrides.ts';

/**
 * Loads (a name or file) or validates (a definition) the scenario, applies the profile, the load overrides and the
 * --target override.
 * A definition's relative data files are looked up in `dataDirs` (default: cwd).
 */
export async function resolveScenario(
  scenario: string | ScenarioDefinition,
  opts: { profile: ProfileName; overrides?: LoadOverrides; targetUrl?: string; cwd: string; env: Record<string, string | undefined>; dataDirs?: string[] },
): Promise<ResolvedScenario> {
  const common = { profile: opts.profile, overrides: opts.overrides, cwd: opts.cwd, env: opts.env };
  const resolved = typeof scenario === 'string' ? await loadScenario(scenario, common) : await resolveDefinition(scenario, { ...common, dataDirs: opts.dataDirs });
  return withTarget(resolved, opts.targetUrl);
}

/** The resolved scenario with the --target override applied to its definition (unchanged without one). */
export function withTarget(resolved: ResolvedScenario, targetUrl: string | undefined): ResolvedScenario {
  if (!targetUrl) return resolved;
  return { ...resolved, definition: { ...resolved.definition, target: { ...resolved.definition.target, baseUrl: targetUrl } } };
}

/** The definition the engine loads: each data feeder's file replaced by the absolute path it resolved to. */
export function withDataFiles(def: ScenarioDefinition, files: Record<string, string>): ScenarioDefinition {
  if (!def.data) return def;
  const data = Object.fromEntries(Object.entries(def.data).map(([name, f]) => [name, files[name] ? { ...f, file: files[name] } : f]));
  return { ...def, data };
}

/** The scenario as written into run.json: secrets redacted, bodies reduced to their shape unless `keepBodies`. */
export function redactForRunJson(def: ScenarioDefinition, keepBodies = false): unknown {
  return redactScenario(def, { keepBodies });
}
