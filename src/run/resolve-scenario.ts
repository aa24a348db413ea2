// Turns what the caller passed (a definition, or a scenario name / file) into a validated, profiled definition.

import type { ProfileName } from '../results/format.ts';
import type { ScenarioDefinition } from '../scenario/types.ts';
import { validateScenario } from '../scenario/schema.ts';
import { applyProfile } from '../scenario/profile.ts';
import { ConfigError } from '../errors.ts';
import { redactUrl } from '../engine/host-guard.ts';

/** A scenario ready to run. */
export interface ScenarioToRun {
  /** Validated and scaled for the profile, with --target applied. */
  definition: ScenarioDefinition;
  profile: ProfileName;
  /** Folder data files are relative to. */
  baseDir: string;
  sourcePath?: string;
}

/** Validates a definition, applies the profile and the --target override. */
export async function resolveScenario(
  scenario: string | ScenarioDefinition,
  opts: { profile: ProfileName; targetUrl?: string; cwd: string; env: Record<string, string | undefined> },
): Promise<ScenarioToRun> {
  if (typeof scenario === 'string') {
    throw new ConfigError([{ path: 'scenario', message: `loading "${scenario}" needs the scenario loader, which is not in this build yet` }]);
  }
  const def = applyProfile(validateScenario(scenario), opts.profile);
  if (opts.targetUrl) def.target = { ...def.target, baseUrl: opts.targetUrl };
  return { definition: def, profile: opts.profile, baseDir: opts.cwd };
}

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token)$/i;

/** The scenario as written into run.json: secret headers and URL passwords replaced. */
export function redactForRunJson(def: ScenarioDefinition): unknown {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') {
      if (SECRET_HEADER.test(key)) return 'REDACTED';
      return /:\/\/[^/@\s]*:[^/@\s]*@/.test(v) ? redactUrl(v) : v;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, ''));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(def, '');
}
