// Command-line load overrides, as k6 has them (`--vus`, `--duration`, `--iterations`, `--rate`, `--stage`), applied
// to the scenario's one executor after the profile. A flag that the executor has no field for is refused, naming the
// flag and the flags that do fit. Pure.

import { ConfigError, type ConfigIssue } from '../errors.ts';
import { formatDuration, parseCliDurationMs } from './duration.ts';
import type { ExecutorName, LoadOptions, Stage } from './types.ts';

/** The overrides a run was given; each replaces one field of the executor. */
export interface LoadOverrides {
  vus?: number;
  /** A k6 duration string: `duration`, or `maxDuration` of the iteration-count executors. */
  duration?: string;
  iterations?: number;
  rate?: number;
  /** Replaces the stages (targets are VUs or iterations per timeUnit, as the executor's own). */
  stages?: Stage[];
}

type Flag = '--vus' | '--duration' | '--iterations' | '--rate' | '--stage';

/** Which field each flag sets, per executor; a flag missing from an executor's row does not fit it. */
const FIELDS: Record<ExecutorName, Partial<Record<Flag, string>>> = {
  'constant-vus': { '--vus': 'vus', '--duration': 'duration' },
  'ramping-vus': { '--stage': 'stages' },
  'constant-arrival-rate': { '--rate': 'rate', '--duration': 'duration' },
  'ramping-arrival-rate': { '--stage': 'stages' },
  'shared-iterations': { '--vus': 'vus', '--iterations': 'iterations', '--duration': 'maxDuration' },
  'per-vu-iterations': { '--vus': 'vus', '--iterations': 'iterations', '--duration': 'maxDuration' },
};

const FLAG_OF: Record<keyof LoadOverrides, Flag> = { vus: '--vus', duration: '--duration', iterations: '--iterations', rate: '--rate', stages: '--stage' };

/** True when no override is given. */
export function noOverrides(o: LoadOverrides | undefined): boolean {
  return !o || Object.values(o).every((v) => v === undefined);
}

/** The load with the overrides applied, or every flag that does not fit it (one ConfigError). */
export function applyLoadOverrides(load: LoadOptions, o: LoadOverrides): LoadOptions {
  const fields = FIELDS[load.executor];
  const issues: ConfigIssue[] = [];
  const out: Record<string, unknown> = { ...load };
  for (const key of Object.keys(FLAG_OF) as Array<keyof LoadOverrides>) {
    const value = o[key];
    if (value === undefined) continue;
    const flag = FLAG_OF[key];
    const field = fields[flag];
    if (!field) {
      const fitting = Object.keys(fields);
      issues.push({ path: flag, message: `does not fit the scenario's ${load.executor} executor, which has no ${key === 'stages' ? 'stages' : key === 'duration' ? 'duration' : `${key} field`} (the flags that fit it: ${fitting.join(', ')})` });
      continue;
    }
    out[field] = value;
  }
  if (out.executor === 'shared-iterations' && (out.iterations as number | undefined ?? 1) < (out.vus as number | undefined ?? 1)) {
    const flag = o.iterations !== undefined ? '--iterations' : '--vus';
    issues.push({ path: flag, message: `shared-iterations needs at least one iteration per VU: ${out.iterations ?? 1} iterations for ${out.vus ?? 1} VUs` });
  }
  if (issues.length) throw new ConfigError(issues, 'invalid arguments');
  return out as unknown as LoadOptions;
}

/** A whole-number flag at least `min`, or a ConfigError naming it. */
export function parseCountFlag(text: string, flag: string, min = 1): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min) throw new ConfigError([{ path: flag, message: `must be a whole number of at least ${min} (got "${text}")` }], 'invalid arguments');
  return n;
}

/** A `--stage` flag as k6 writes it, `DURATION:TARGET`, with an optional `:NAME` (the phase): `30s:10`, `1m:100:steady`. */
export function parseStageFlag(text: string, flag = '--stage'): Stage {
  const [d, t, name, ...rest] = text.split(':');
  const bad = (why: string): never => {
    throw new ConfigError([{ path: flag, message: `${why} (got "${text}"; expected DURATION:TARGET or DURATION:TARGET:NAME, like 30s:10)` }], 'invalid arguments');
  };
  if (rest.length > 0 || d === undefined || t === undefined || d === '' || t === '') return bad('must be DURATION:TARGET');
  const ms = parseCliDurationMs(d, flag);
  if (!/^\d+$/.test(t)) return bad(`the target "${t}" must be a whole number`);
  if (name !== undefined && !/^[A-Za-z0-9][\w.-]*$/.test(name)) return bad(`the name "${name}" must be letters, digits, ".", "_" and "-"`);
  return { duration: formatDuration(ms), target: Number(t), ...(name !== undefined ? { name } : {}) };
}

/** The overrides of `perfgate run`'s flags, every bad flag in one ConfigError. */
export function parseOverrideFlags(flags: { vus?: string; duration?: string; iterations?: string; rate?: string; stage?: string[] }): LoadOverrides {
  const issues: ConfigIssue[] = [];
  const out: LoadOverrides = {};
  const take = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof ConfigError) issues.push(...err.issues);
      else throw err;
    }
  };
  if (flags.vus !== undefined) take(() => (out.vus = parseCountFlag(flags.vus!, '--vus')));
  if (flags.duration !== undefined) take(() => (out.duration = formatDuration(parseCliDurationMs(flags.duration!, '--duration', { positive: true }))));
  if (flags.iterations !== undefined) take(() => (out.iterations = parseCountFlag(flags.iterations!, '--iterations')));
  if (flags.rate !== undefined) take(() => (out.rate = parseCountFlag(flags.rate!, '--rate')));
  if (flags.stage && flags.stage.length > 0) {
    const stages: Stage[] = [];
    flags.stage.forEach((s, i) => take(() => stages.push(parseStageFlag(s, flags.stage!.length > 1 ? `--stage[${i}]` : '--stage'))));
    out.stages = stages;
  }
  if (issues.length) throw new ConfigError(issues, 'invalid arguments');
  return out;
}
