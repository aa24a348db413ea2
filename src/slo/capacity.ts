// The breaking point of a ramp: walking the run in sliding windows, the highest load at which every capacity SLO
// still held, and the first SLO to break (when, at what load, by how much). Pure.

import type { CapacityFinding, IntervalRecord, TickIntervalRecord } from '../results/format.ts';
import { evaluateThresholds, type RunRecords } from './evaluate.ts';
import { runWindow } from '../metrics/windows.ts';
import type { ParsedThreshold } from './grammar.ts';
import { formatValue } from '../report/format-values.ts';

/** Sliding window over which each SLO is judged at every interval end (long enough for stable percentiles). */
export const CAPACITY_WINDOW_MS = 10_000;

/** mm:ss from the start of the run. */
function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function isTick(r: IntervalRecord): r is TickIntervalRecord {
  return r.type === 'tick';
}

/** Finds the breaking point of the capacity SLOs; undefined when there are none or no load was recorded. */
export function findCapacity(data: RunRecords, parsed: readonly ParsedThreshold[], windowMs = CAPACITY_WINDOW_MS): CapacityFinding | undefined {
  // interval ends, ascending -> window [end - W, end] -> evaluate every SLO (no data: not judged)
  //   -> all held: the window's load counts as healthy -> first failure: the breach, stop
  const ticks = data.intervals.filter(isTick).sort((a, b) => a.tMs - b.tMs);
  if (parsed.length === 0 || ticks.length === 0) return undefined;
  const open = ticks.some((t) => t.targetRatePerS !== undefined);
  const loadOf = (t: TickIntervalRecord) => (open ? (t.targetRatePerS ?? 0) : t.vusMax);
  const unit = open ? 'iterations/s' : 'users';
  const endMs = runWindow(data).toMs;
  let healthy: number | undefined;
  for (const tick of ticks) {
    const toMs = Math.min(endMs, tick.tMs + tick.intervalMs);
    const fromMs = Math.max(0, toMs - windowMs);
    if (toMs - fromMs < Math.min(windowMs, endMs) * 0.5) continue;
    const judged = evaluateThresholds(data, parsed, { window: { fromMs, toMs } }).filter((e) => e.observed !== null);
    if (judged.length === 0) continue;
    const breach = judged.find((e) => !e.pass);
    const windowLoad = Math.max(...ticks.filter((t) => t.tMs >= fromMs && t.tMs < toMs).map(loadOf));
    if (!breach) {
      healthy = Math.max(healthy ?? 0, windowLoad);
      continue;
    }
    const load = loadOf(tick);
    const observed = breach.observed as number;
    const sentence =
      `capacity: ${healthy === undefined ? 'no load level held every SLO' : `${Math.round(healthy).toLocaleString('en-US')} ${unit}`}; ` +
      `${breach.key} ${breach.expression} broke first at ${clock(toMs)} with ${Math.round(load).toLocaleString('en-US')} ${unit} ` +
      `(observed ${formatValue(observed, breach.unit)})`;
    return {
      ...(open ? { maxHealthyRatePerS: healthy } : { maxHealthyVUs: healthy }),
      firstBreach: { key: breach.key, expression: breach.expression, atMs: toMs, ...(open ? {} : { vus: load }), observed },
      sentence,
    };
  }
  const peak = Math.max(...ticks.map(loadOf));
  return {
    ...(open ? { maxHealthyRatePerS: healthy ?? peak } : { maxHealthyVUs: healthy ?? peak }),
    sentence: `capacity: at least ${Math.round(healthy ?? peak).toLocaleString('en-US')} ${unit}; no capacity SLO broke up to the peak load`,
  };
}
