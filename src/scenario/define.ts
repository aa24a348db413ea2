// defineScenario: the identity function that gives a scenario file its types.

import type { ScenarioDefinition } from './types.ts';

/** Returns the scenario unchanged; use it as `export default defineScenario({...})` for type checking. */
export function defineScenario(def: ScenarioDefinition): ScenarioDefinition {
  return def;
}
