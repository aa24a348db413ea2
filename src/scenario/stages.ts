// Pure stage math for the four executors: planned duration, VUs and arrival rate over time, phases, and the
// exact intended start time of every open-model iteration (by integrating the rate).

import type { TimeWindow } from '../results/format.ts';
import { parseDurationMs } from './duration.ts';
import type { IterationsLoad, LoadOptions, OpenModelLoad, Stage } from './types.ts';

/** k6's default timeUnit for arrival-rate executors. */
export const DEFAULT_TIME_UNIT = '1s';
/** k6's default maxDuration for the iteration-count executors. */
export const DEFAULT_MAX_DURATION = '10m';

/** A stage resolved to milliseconds; `from` is the value at the start of the stage. */
export interface StageSpan {
  name?: string;
  startMs: number;
  endMs: number;
  from: number;
  to: number;
}

/** True for the open-model executors (iterations start on a schedule). */
export function isOpenModel(load: LoadOptions): load is OpenModelLoad {
  return load.executor === 'constant-arrival-rate' || load.executor === 'ramping-arrival-rate';
}

/** True for the iteration-count executors (shared-iterations, per-vu-iterations): they end when the work is done. */
export function isIterationsModel(load: LoadOptions): load is IterationsLoad {
  return load.executor === 'shared-iterations' || load.executor === 'per-vu-iterations';
}

/** Iterations an iteration-count load runs in all: `iterations` (shared) or `vus` x `iterations` (per VU). */
export function totalIterations(load: IterationsLoad): number {
  const iterations = load.iterations ?? 1;
  return load.executor === 'shared-iterations' ? iterations : (load.vus ?? 1) * iterations;
}

/** The executor's timeUnit in ms (1000 when absent or not an arrival-rate executor). */
export function timeUnitMs(load: LoadOptions): number {
  return 'timeUnit' in load && load.timeUnit ? parseDurationMs(load.timeUnit, 'load.timeUnit') : 1000;
}

const cache = new WeakMap<LoadOptions, readonly StageSpan[]>();

/** The load as spans of VUs (closed models) or iterations per second (open models); a fresh copy. */
export function spans(load: LoadOptions): StageSpan[] {
  return cached(load).map((s) => ({ ...s }));
}

/** Spans computed once per load object (the engine asks for them on every tick); never mutate the result. */
function cached(load: LoadOptions): readonly StageSpan[] {
  let out = cache.get(load);
  if (!out) cache.set(load, (out = computeSpans(load)));
  return out;
}

function computeSpans(load: LoadOptions): StageSpan[] {
  switch (load.executor) {
    case 'constant-vus': {
      const vus = load.vus ?? 1;
      return [{ startMs: 0, endMs: parseDurationMs(load.duration, 'load.duration'), from: vus, to: vus }];
    }
    case 'constant-arrival-rate': {
      const perS = (load.rate * 1000) / timeUnitMs(load);
      return [{ startMs: 0, endMs: parseDurationMs(load.duration, 'load.duration'), from: perS, to: perS }];
    }
    case 'shared-iterations':
    case 'per-vu-iterations': {
      // The VUs run from the start until the work is done: maxDuration is the longest the load may take.
      const vus = load.vus ?? 1;
      return [{ startMs: 0, endMs: parseDurationMs(load.maxDuration ?? DEFAULT_MAX_DURATION, 'load.maxDuration'), from: vus, to: vus }];
    }
    case 'ramping-vus':
      return stageSpans(load.stages, load.startVUs ?? 1, 1);
    case 'ramping-arrival-rate':
      return stageSpans(load.stages, load.startRate ?? 0, 1000 / timeUnitMs(load));
  }
}

function stageSpans(stages: Stage[], start: number, scale: number): StageSpan[] {
  const out: StageSpan[] = [];
  let t = 0;
  let from = start * scale;
  stages.forEach((s, i) => {
    const d = parseDurationMs(s.duration, `load.stages[${i}].duration`);
    const to = s.target * scale;
    out.push({ name: s.name, startMs: t, endMs: t + d, from, to });
    t += d;
    from = to;
  });
  return out;
}

/**
 * Planned duration of the load in ms (the sum of the stages, or `duration`), without gracefulStop. For the
 * iteration-count executors it is maxDuration: the longest the load may take (it ends sooner when its work is done).
 */
export function plannedDurationMs(load: LoadOptions): number {
  const s = cached(load);
  return s.length ? s[s.length - 1]!.endMs : 0;
}

/** The span holding tMs: [startMs, endMs), except that the end of the last span belongs to it. */
function spanAt(all: readonly StageSpan[], tMs: number): StageSpan | undefined {
  if (tMs < 0 || all.length === 0) return undefined;
  for (const s of all) if (tMs < s.endMs) return s;
  const last = all[all.length - 1]!;
  return tMs === last.endMs ? last : undefined;
}

/** Active VUs at tMs for the closed models, like k6: ramps move one VU at a time when the line crosses it. */
export function vusAt(load: LoadOptions, tMs: number): number {
  if (isOpenModel(load)) return 0;
  const all = cached(load);
  const s = spanAt(all, tMs);
  if (!s) return 0;
  const d = s.endMs - s.startMs;
  if (d <= 0 || s.from === s.to) return tMs >= s.endMs ? s.to : s.from;
  const diff = s.to - s.from;
  const steps = Math.floor((Math.abs(diff) * (tMs - s.startMs)) / d + 1e-9);
  return s.from + Math.sign(diff) * Math.min(steps, Math.abs(diff));
}

/** Arrival rate at tMs in iterations per second (open models; timeUnit applied), linear along ramps; 0 outside. */
export function rateAt(load: LoadOptions, tMs: number): number {
  if (!isOpenModel(load)) return 0;
  const s = spanAt(cached(load), tMs);
  if (!s) return 0;
  const d = s.endMs - s.startMs;
  if (d <= 0) return s.to;
  return s.from + ((s.to - s.from) * (tMs - s.startMs)) / d;
}

/** Name of the stage (phase) at tMs, or undefined when the stage has no name or tMs is outside the load. */
export function phaseAt(load: LoadOptions, tMs: number): string | undefined {
  return spanAt(cached(load), tMs)?.name;
}

/** Named stretches of the load, consecutive stages with the same name merged; unnamed stages are left out. */
export function phases(load: LoadOptions): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (const s of cached(load)) {
    if (s.name === undefined || s.endMs === s.startMs) continue;
    const last = out[out.length - 1];
    if (last && last.name === s.name && last.endMs === s.startMs) last.endMs = s.endMs;
    else out.push({ name: s.name, startMs: s.startMs, endMs: s.endMs });
  }
  return out;
}

/** Most VUs the executor may use: the VU peak of closed models, maxVUs (or preAllocatedVUs) of open ones. */
export function peakVUs(load: LoadOptions): number {
  switch (load.executor) {
    case 'constant-vus':
    case 'shared-iterations':
    case 'per-vu-iterations':
      return load.vus ?? 1;
    case 'ramping-vus':
      return Math.max(load.startVUs ?? 1, ...load.stages.map((s) => s.target));
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return Math.max(load.maxVUs ?? 0, load.preAllocatedVUs);
  }
}

/** Highest arrival rate in iterations per second (open models), undefined for closed models. */
export function peakRatePerS(load: LoadOptions): number | undefined {
  if (!isOpenModel(load)) return undefined;
  return Math.max(0, ...cached(load).flatMap((s) => [s.from, s.to]));
}

/** Iterations scheduled to have started by tMs: the integral of the rate from 0 (fractional). */
export function cumulativeIterations(load: LoadOptions, tMs: number): number {
  if (!isOpenModel(load)) return 0;
  let n = 0;
  for (const s of cached(load)) {
    if (tMs <= s.startMs) break;
    n += integral(s, Math.min(tMs, s.endMs) - s.startMs);
  }
  return n;
}

/** Iterations started within the first `tau` ms of span s. */
function integral(s: StageSpan, tau: number): number {
  const d = s.endMs - s.startMs;
  if (d <= 0 || tau <= 0) return 0;
  return (s.from * tau) / 1000 + ((s.to - s.from) * tau * tau) / (2 * d * 1000);
}

/**
 * Intended start times (ms from the start of the load) of every open-model iteration at or after fromMs,
 * in order. Iteration k starts when the integral of the rate first exceeds k (k = 0, 1, ...), so a constant
 * 100/s starts one every 10 ms from t = 0 and a ramp 0 -> 100/s over 10 s starts 500.
 */
export function* iterateArrivalsMs(load: LoadOptions, fromMs = 0): Generator<number, void, void> {
  if (!isOpenModel(load)) return;
  let base = 0; // iterations before the current span
  for (const s of cached(load)) {
    const d = s.endMs - s.startMs;
    const total = integral(s, d);
    if (d > 0 && s.endMs > fromMs && total > 0) {
      // First k of this span not before fromMs.
      const skip = fromMs > s.startMs ? integral(s, fromMs - s.startMs) : 0;
      let k = Math.max(Math.ceil(base - 1e-9), Math.ceil(base + skip - 1e-9));
      for (; k < base + total - 1e-9; k++) {
        const t = s.startMs + solve(s, k - base);
        if (t >= fromMs && t < s.endMs) yield t;
      }
    }
    base += total;
  }
}

/** The offset tau in span s where the integral reaches m (0 <= m < the span's total). */
function solve(s: StageSpan, m: number): number {
  if (m <= 0) return 0; // rate may start at 0 but rises at once
  const d = s.endMs - s.startMs;
  const a = (s.to - s.from) / (2 * d * 1000);
  const b = s.from / 1000;
  if (a === 0) return m / b;
  // a*tau^2 + b*tau - m = 0, in the form that stays stable when a is tiny or negative.
  return (2 * m) / (b + Math.sqrt(Math.max(0, b * b + 4 * a * m)));
}

/** Intended start times in [fromMs, toMs), in order (see iterateArrivalsMs). */
export function arrivalTimesMs(load: LoadOptions, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (const t of iterateArrivalsMs(load, fromMs)) {
    if (t >= toMs) break;
    out.push(t);
  }
  return out;
}
