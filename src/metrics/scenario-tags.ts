// Custom tags of a run: a scenario's own `tags` (k6's scenario option), which every request it makes carries, so
// thresholds can filter on them (`http_req_duration{team:checkout}`). Read loosely from a scenario or from run.json's
// config, because the threshold grammar must know them before and after the run alike.

/** Tags perfgate sets on request records itself; a scenario's own `tags` may not use these names. */
export const BUILTIN_TAGS: readonly string[] = ['name', 'method', 'journey', 'scenario', 'phase', 'status', 'error_code', 'expected_response', 'check', 'url', 'group'];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each custom tag the run's executors set (the `load`'s and every scenario's of a map), with the values set. */
export function scenarioTags(config: unknown): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!isObj(config)) return out;
  const loads = [config.load, ...(isObj(config.scenarios) ? Object.values(config.scenarios) : [])];
  for (const load of loads) {
    if (!isObj(load) || !isObj(load.tags)) continue;
    for (const [k, v] of Object.entries(load.tags)) {
      if (typeof v !== 'string' || BUILTIN_TAGS.includes(k)) continue;
      if (!out.has(k)) out.set(k, new Set());
      out.get(k)!.add(v);
    }
  }
  return out;
}

/** The names of the custom tags the run's executors set. */
export function scenarioTagNames(config: unknown): string[] {
  return [...scenarioTags(config).keys()];
}
