// The windows a metric is judged over: the whole run, a phase (every stretch of the stages bearing its name), and
// the window of one threshold or summary key. Shared by the gate, the live monitor, summary.json and the report. Pure.

import type { IntervalRecord, RunJson, SampleRecord, TimeWindow } from '../results/format.ts';
import type { WindowMs } from './samples.ts';

/** The whole run's window: from 0 to the end of the last record (or the run's duration, if later). */
export function runWindow(data: { run: Pick<RunJson, 'durationMs'>; intervals: readonly IntervalRecord[]; samples: readonly SampleRecord[] }): WindowMs {
  let toMs = data.run.durationMs ?? 0;
  for (const r of data.intervals) toMs = Math.max(toMs, r.tMs + r.intervalMs);
  for (const s of data.samples) toMs = Math.max(toMs, s.tMs);
  return { fromMs: 0, toMs };
}

/**
 * A window narrowed to the union of the named stretches (every stage bearing a phase name): one stretch gives a plain
 * window, several give their span with `spans` set; none in the window gives an empty one. No stretch of that name
 * at all leaves the window as it is (the phase filter then matches nothing: "no data").
 */
export function phaseWindow(phases: readonly TimeWindow[], name: string, window: WindowMs): WindowMs {
  const named = phases.filter((p) => p.name === name);
  if (named.length === 0) return window;
  const spans = named
    .map((p) => ({ fromMs: Math.max(window.fromMs, p.startMs), toMs: Math.min(window.toMs, p.endMs) }))
    .filter((s) => s.toMs > s.fromMs)
    .sort((a, b) => a.fromMs - b.fromMs);
  if (spans.length === 0) {
    const fromMs = Math.min(window.toMs, Math.max(window.fromMs, named[0].startMs));
    return { fromMs, toMs: fromMs };
  }
  if (spans.length === 1) return spans[0];
  return { fromMs: spans[0].fromMs, toMs: spans[spans.length - 1].toMs, spans };
}

/** The window a threshold is computed over: the run window, narrowed to every stretch of the phase its tag names. */
export function thresholdWindow(data: { run: Pick<RunJson, 'phases'> }, t: { tags: Record<string, string> }, window: WindowMs): WindowMs {
  return t.tags.phase === undefined ? window : phaseWindow(data.run.phases, t.tags.phase, window);
}
