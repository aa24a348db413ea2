// The executors of a run: the single `load`, or each entry of a `scenarios` map (k6's `options.scenarios`), as
// parts with a name, a start time and the journeys they run; and the run's timeline over all of them (planned
// duration, phases, peak VUs and rate). Pure: everything that needs "the load of the run" reads it here.

import { ConfigError } from '../errors.ts';
import type { TimeWindow } from '../results/format.ts';
import { parseDurationMs } from './duration.ts';
import { isOpenModel, peakRatePerS, peakVUs, phases, plannedDurationMs } from './stages.ts';
import type { Journey, JourneySelection, LoadOptions, ScenarioDefinition } from './types.ts';

/** The name of the single `load`'s scenario, as k6 names it (`{scenario:default}`). */
export const DEFAULT_SCENARIO = 'default';

/** One executor of the run. */
export interface ScenarioPart {
  /** `default` for the single `load`; the map's key otherwise. */
  name: string;
  load: LoadOptions;
  /** When it starts, ms from the start of the load. */
  startMs: number;
  exec?: JourneySelection;
}

/** The run's executors, in the map's order (one, `default`, for the `load` form). */
export function scenarioParts(def: Pick<ScenarioDefinition, 'load' | 'scenarios'>): ScenarioPart[] {
  if (def.scenarios) {
    return Object.entries(def.scenarios).map(([name, entry]) => {
      const { startTime, exec, ...load } = entry;
      return {
        name,
        load: load as LoadOptions,
        startMs: startTime === undefined ? 0 : parseDurationMs(startTime, `scenarios.${name}.startTime`),
        ...(exec !== undefined ? { exec } : {}),
      };
    });
  }
  if (!def.load) throw new ConfigError([{ path: 'load', message: 'required: the executor of the run (or a `scenarios` map of several executors)' }], 'invalid scenario');
  return [{ name: DEFAULT_SCENARIO, load: def.load, startMs: 0 }];
}

/** True when the run has a `scenarios` map (so its records carry the `scenario` tag). */
export function hasScenarioMap(def: Pick<ScenarioDefinition, 'scenarios'>): boolean {
  return def.scenarios !== undefined;
}

/** The one executor of a single-executor run; a ConfigError naming `what` for a `scenarios` map of several. */
export function singleLoad(def: Pick<ScenarioDefinition, 'load' | 'scenarios'>, what: string): LoadOptions {
  const parts = scenarioParts(def);
  if (parts.length !== 1 || parts[0]!.startMs !== 0) {
    throw new ConfigError([{ path: 'scenarios', message: `${what} applies to a run of one executor; this one has ${parts.length} scenarios (${parts.map((p) => p.name).join(', ')})` }], 'invalid scenario');
  }
  return parts[0]!.load;
}

/** The journeys a part runs: those its `exec` names, at the weights it gives (all of them, as written, without one). */
export function journeysOf(journeys: readonly Journey[], exec: JourneySelection | undefined): Journey[] {
  if (exec === undefined) return [...journeys];
  const weights: Record<string, number | undefined> =
    typeof exec === 'string' ? { [exec]: undefined } : Array.isArray(exec) ? Object.fromEntries(exec.map((n) => [n, undefined])) : exec;
  return journeys.filter((j) => Object.hasOwn(weights, j.name)).map((j) => (weights[j.name] === undefined ? j : { ...j, weight: weights[j.name] }));
}

/** The definition one part's engine runs: its load and its journeys, without the map. */
export function partDefinition(def: ScenarioDefinition, part: ScenarioPart): ScenarioDefinition {
  const { scenarios: _scenarios, ...rest } = def;
  return { ...rest, load: part.load, journeys: journeysOf(def.journeys, part.exec) };
}

/** Planned duration of the whole load: the latest end of any part. */
export function runPlannedDurationMs(def: Pick<ScenarioDefinition, 'load' | 'scenarios'>): number {
  return Math.max(0, ...scenarioParts(def).map((p) => p.startMs + plannedDurationMs(p.load)));
}

/**
 * Named stretches of the whole load, from the load's start: each part's phases shifted by its start time. A
 * name used by several parts has a stretch for each (thresholds judge their union).
 */
export function runPhases(def: Pick<ScenarioDefinition, 'load' | 'scenarios'>): TimeWindow[] {
  return scenarioParts(def)
    .flatMap((p) => phases(p.load).map((w) => ({ ...w, startMs: w.startMs + p.startMs, endMs: w.endMs + p.startMs })))
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}

/** Most VUs the run may use: the parts' peaks added (an upper bound when they do not overlap in time). */
export function runPeakVUs(def: Pick<ScenarioDefinition, 'load' | 'scenarios'>): number {
  return scenarioParts(def).reduce((a, p) => a + peakVUs(p.load), 0);
}

/** Peak arrival rate of the open-model parts, added (undefined when no part is open-model). */
export function runPeakRatePerS(def: Pick<ScenarioDefinition, 'load' | 'scenarios'>): number | undefined {
  const open = scenarioParts(def).filter((p) => isOpenModel(p.load));
  return open.length === 0 ? undefined : open.reduce((a, p) => a + (peakRatePerS(p.load) ?? 0), 0);
}

/** The run's executors, one word each: `constant-vus`, or `browse: constant-vus, writes: ramping-arrival-rate`. */
export function executorsOf(def: Pick<ScenarioDefinition, 'load' | 'scenarios'>): string {
  const parts = scenarioParts(def);
  return hasScenarioMap(def) ? parts.map((p) => `${p.name}: ${p.load.executor}`).join(', ') : parts[0]!.load.executor;
}
