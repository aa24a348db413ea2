// Profiles: `full` runs the scenario as written; `ci` and `smoke` scale its durations and its VUs or rates.

import { ConfigError } from '../errors.ts';
import type { ProfileName } from '../results/format.ts';
import { formatDuration, parseDurationMs } from './duration.ts';
import type { FaultSpec, LoadOptions, ProfileScale, ScenarioDefinition, ScenarioEntry, Stage } from './types.ts';

/** Scales used when a scenario does not set its own `profiles`. */
export const DEFAULT_PROFILES: Record<'ci' | 'smoke', Required<ProfileScale>> = {
  ci: { time: 0.1, load: 0.2 },
  smoke: { time: 0.02, load: 0.1 },
};

/** The profile names, `full` first (the default). */
export const PROFILES: readonly ProfileName[] = ['full', 'ci', 'smoke'];

/** A scaled stage or load duration never drops below this (unless it was 0). */
export const MIN_SCALED_DURATION_MS = 1000;

/** The scale a profile applies to a scenario: its own `profiles` entry over the defaults. */
export function profileScale(def: ScenarioDefinition, profile: ProfileName): Required<ProfileScale> {
  if (!PROFILES.includes(profile)) {
    throw new ConfigError(
      [{ path: 'profile', message: `unknown profile ${JSON.stringify(profile)} (expected one of ${PROFILES.join(', ')})` }],
      'invalid profile',
    );
  }
  if (profile === 'full') return { time: 1, load: 1 };
  return { ...DEFAULT_PROFILES[profile], ...def.profiles?.[profile] };
}

/** Returns a new definition scaled for the profile (`full`: an unchanged copy). */
export function applyProfile(def: ScenarioDefinition, profile: ProfileName): ScenarioDefinition {
  const { time, load } = profileScale(def, profile);
  const out = structuredClone(def);
  if (profile === 'full') return out;
  if (out.load) out.load = scaleLoad(out.load, time, load);
  if (out.scenarios) out.scenarios = Object.fromEntries(Object.entries(out.scenarios).map(([name, e]) => [name, scaleEntry(name, e, time, load)]));
  if (out.faults) out.faults = out.faults.map((f) => scaleFault(f, time, load));
  return out;
}

/** Scales a duration string: at least MIN_SCALED_DURATION_MS when `min` and it was not 0; whole ms. */
function scaleDuration(d: string, time: number, field: string, min: boolean): string {
  const ms = parseDurationMs(d, field);
  if (ms === 0) return d;
  const scaled = Math.round(ms * time);
  return formatDuration(min ? Math.max(MIN_SCALED_DURATION_MS, scaled) : Math.max(1, scaled));
}

/** Scales a count (VUs, rate): rounded, at least 1 when the original was at least 1; 0 stays 0. */
export function scaleCount(n: number, load: number): number {
  if (n <= 0) return n;
  const scaled = Math.round(n * load);
  return n >= 1 ? Math.max(1, scaled) : scaled;
}

/** Scales one scenario of a `scenarios` map: its load, and its start time like a fault's `at`. */
function scaleEntry(name: string, e: ScenarioEntry, time: number, load: number): ScenarioEntry {
  const { startTime, exec, ...rest } = e;
  const out = scaleLoad(rest as LoadOptions, time, load, `scenarios.${name}`) as ScenarioEntry;
  if (startTime !== undefined) out.startTime = scaleDuration(startTime, time, `scenarios.${name}.startTime`, false);
  if (exec !== undefined) out.exec = exec;
  return out;
}

function scaleLoad(l: LoadOptions, time: number, load: number, at = 'load'): LoadOptions {
  const d = (s: string, field: string) => scaleDuration(s, time, `${at}.${field}`, true);
  const grace = (s: string | undefined, field: string) =>
    s === undefined ? undefined : scaleDuration(s, time, `${at}.${field}`, false);
  const count = (n: number | undefined) => (n === undefined ? undefined : scaleCount(n, load));
  const stages = (st: Stage[]) =>
    st.map((s, i) => ({ ...s, duration: d(s.duration, `stages[${i}].duration`), target: scaleCount(s.target, load) }));
  const out: Record<string, unknown> = { ...l, gracefulStop: grace(l.gracefulStop, 'gracefulStop') };
  switch (l.executor) {
    case 'constant-vus':
      Object.assign(out, { vus: count(l.vus), duration: d(l.duration, 'duration') });
      break;
    case 'ramping-vus':
      Object.assign(out, {
        startVUs: count(l.startVUs),
        stages: stages(l.stages),
        gracefulRampDown: grace(l.gracefulRampDown, 'gracefulRampDown'),
      });
      break;
    case 'constant-arrival-rate':
      Object.assign(out, {
        rate: scaleCount(l.rate, load),
        duration: d(l.duration, 'duration'),
        preAllocatedVUs: scaleCount(l.preAllocatedVUs, load),
        maxVUs: count(l.maxVUs),
      });
      break;
    case 'shared-iterations': {
      // The shared work shrinks with the VUs, and stays at least one iteration per VU (k6's rule).
      const vus = count(l.vus);
      const iterations = count(l.iterations);
      Object.assign(out, {
        vus,
        iterations: iterations === undefined ? undefined : Math.max(iterations, vus ?? 1),
        maxDuration: l.maxDuration === undefined ? undefined : d(l.maxDuration, 'maxDuration'),
      });
      break;
    }
    case 'per-vu-iterations':
      // Fewer VUs make less work; each VU still runs its `iterations`.
      Object.assign(out, { vus: count(l.vus), maxDuration: l.maxDuration === undefined ? undefined : d(l.maxDuration, 'maxDuration') });
      break;
    case 'ramping-arrival-rate':
      Object.assign(out, {
        startRate: count(l.startRate),
        stages: stages(l.stages),
        preAllocatedVUs: scaleCount(l.preAllocatedVUs, load),
        maxVUs: count(l.maxVUs),
      });
      break;
  }
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as unknown as LoadOptions;
}

/** Scales a fault's times, and its `clients` param (a count of traffic sources, as in login-flood) like the VUs. */
function scaleFault(f: FaultSpec, time: number, load: number): FaultSpec {
  const out: FaultSpec = { ...f, at: f.at === '0' ? f.at : scaleDuration(f.at, time, 'faults.at', false) };
  if (f.duration !== undefined) out.duration = scaleDuration(f.duration, time, 'faults.duration', true);
  if (typeof f.params?.clients === 'number') out.params = { ...f.params, clients: scaleCount(f.params.clients, load) };
  return out;
}
