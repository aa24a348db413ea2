// Percentile lines over time at low request rates: each percentile series gets the narrowest window, from a fixed
// ladder, at which most windows hold enough requests for that percentile (the sample-size rule of slo/sample-size.ts,
// n * min(q, 1 - q) >= 10). A window's percentile comes from the merged HDR histograms of its intervals, never from
// averaged percentiles. Pure: per-bucket histograms in, rows and the windows chosen out.

import { WindowHistogram, type SparseHistogram } from '../metrics/sparse-histogram.ts';
import { isFewSamples } from '../slo/sample-size.ts';

/** The window widths a percentile series may be drawn over, narrowest first (s). */
export const WINDOW_LADDER_S = [1, 2, 5, 10, 30, 60] as const;

/** One bucket of the chart grid: its start and the merged histogram of its requests. */
export interface BucketHistogram {
  tMs: number;
  hist: SparseHistogram;
}

/** The window one percentile series was drawn over, and whether most of its windows still had too few requests. */
export interface PercentileWindow {
  series: string;
  percentile: number;
  windowMs: number;
  /** True when even the widest window left most windows short of the sample-size rule. */
  sparse: boolean;
}

/** One point of a percentile series: the percentile of every request in the window that starts at tMs. */
export interface WindowedPoint<S extends string = string> {
  tMs: number;
  series: S;
  valueMs: number;
}

/** Window widths to try for a bucket grid of bucketMs: each ladder rung rounded up to whole buckets, distinct. */
export function windowCandidatesMs(bucketMs: number): number[] {
  const out: number[] = [];
  for (const s of WINDOW_LADDER_S) {
    const w = Math.max(bucketMs, Math.ceil((s * 1000) / bucketMs) * bucketMs);
    if (!out.includes(w)) out.push(w);
  }
  return out;
}

/** The request count of each window of windowMs aligned on the run start; windows without requests left out. */
function windowCounts(buckets: readonly BucketHistogram[], windowMs: number): number[] {
  const byStart = new Map<number, number>();
  for (const b of buckets) {
    if (b.hist.totalCount === 0) continue;
    const start = Math.floor(b.tMs / windowMs) * windowMs;
    byStart.set(start, (byStart.get(start) ?? 0) + b.hist.totalCount);
  }
  return [...byStart.values()];
}

/** Whether more than half of the windows hold enough requests for percentile p (0..100). */
function mostWindowsEnough(counts: readonly number[], p: number): boolean {
  const enough = counts.filter((n) => !isFewSamples(n, p)).length;
  return counts.length > 0 && enough * 2 > counts.length;
}

/** The narrowest candidate window at which most windows satisfy the sample-size rule for p; else the widest. */
export function chooseWindow(buckets: readonly BucketHistogram[], bucketMs: number, p: number): { windowMs: number; sparse: boolean } {
  const candidates = windowCandidatesMs(bucketMs);
  for (const windowMs of candidates) {
    if (mostWindowsEnough(windowCounts(buckets, windowMs), p)) return { windowMs, sparse: false };
  }
  return { windowMs: candidates[candidates.length - 1]!, sparse: true };
}

/**
 * The percentile p of each window of windowMs aligned on the run start (windows without requests left out). A
 * window's buckets are added to one reused dense histogram, read, and taken out again: no merged copy is built.
 */
export function windowPercentilesUs(buckets: readonly BucketHistogram[], windowMs: number, p: number): Array<{ tMs: number; us: number }> {
  const sorted = [...buckets].filter((b) => b.hist.totalCount > 0).sort((a, b) => a.tMs - b.tMs);
  const window = new WindowHistogram();
  const out: Array<{ tMs: number; us: number }> = [];
  for (let i = 0; i < sorted.length; ) {
    const start = Math.floor(sorted[i]!.tMs / windowMs) * windowMs;
    let j = i;
    for (; j < sorted.length && sorted[j]!.tMs < start + windowMs; j++) window.apply(sorted[j]!.hist, 1);
    const us = window.percentileUs(p);
    if (us !== null) out.push({ tMs: start, us });
    for (let k = i; k < j; k++) window.apply(sorted[k]!.hist, -1);
    i = j;
  }
  return out;
}

/** Every percentile series over its own window: the points, and the window each series was drawn over. */
export function windowedPercentiles<S extends string>(buckets: readonly BucketHistogram[], bucketMs: number, series: ReadonlyArray<{ name: S; percentile: number }>): { points: Array<WindowedPoint<S>>; windows: PercentileWindow[] } {
  const points: Array<WindowedPoint<S>> = [];
  const windows: PercentileWindow[] = [];
  for (const s of series) {
    const chosen = chooseWindow(buckets, bucketMs, s.percentile);
    windows.push({ series: s.name, percentile: s.percentile, windowMs: chosen.windowMs, sparse: chosen.sparse });
    for (const w of windowPercentilesUs(buckets, chosen.windowMs, s.percentile)) points.push({ tMs: w.tMs, series: s.name, valueMs: w.us / 1000 });
  }
  points.sort((a, b) => a.tMs - b.tMs);
  return { points, windows };
}
