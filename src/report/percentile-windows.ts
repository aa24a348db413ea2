// Percentile lines over time at low request rates: each percentile series gets the narrowest window, from a fixed
// ladder, at which most windows hold enough requests for that percentile (the sample-size rule of slo/sample-size.ts,
// n * min(q, 1 - q) >= 10). A window's percentile comes from the merged HDR histograms of its intervals, never from
// averaged percentiles. Pure: per-bucket histograms in, rows and the windows chosen out.

import { SparseHistogram } from '../metrics/sparse-histogram.ts';
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

/** The buckets merged into windows of windowMs aligned on the run start; windows without requests left out. */
export function mergeWindows(buckets: readonly BucketHistogram[], windowMs: number): BucketHistogram[] {
  const byStart = new Map<number, SparseHistogram>();
  for (const b of buckets) {
    if (b.hist.totalCount === 0) continue;
    const start = Math.floor(b.tMs / windowMs) * windowMs;
    let h = byStart.get(start);
    if (!h) byStart.set(start, (h = new SparseHistogram()));
    h.merge(b.hist);
  }
  return [...byStart.entries()].sort((a, b) => a[0] - b[0]).map(([tMs, hist]) => ({ tMs, hist }));
}

/** Whether more than half of the windows hold enough requests for percentile p (0..100). */
function mostWindowsEnough(windows: readonly BucketHistogram[], p: number): boolean {
  const enough = windows.filter((w) => !isFewSamples(w.hist.totalCount, p)).length;
  return windows.length > 0 && enough * 2 > windows.length;
}

/** The narrowest candidate window at which most windows satisfy the sample-size rule for p; else the widest. */
export function chooseWindow(buckets: readonly BucketHistogram[], bucketMs: number, p: number): { windowMs: number; windows: BucketHistogram[]; sparse: boolean } {
  const candidates = windowCandidatesMs(bucketMs);
  let windows: BucketHistogram[] = [];
  for (const windowMs of candidates) {
    windows = mergeWindows(buckets, windowMs);
    if (mostWindowsEnough(windows, p)) return { windowMs, windows, sparse: false };
  }
  return { windowMs: candidates[candidates.length - 1]!, windows, sparse: true };
}

/** Every percentile series over its own window: the points, and the window each series was drawn over. */
export function windowedPercentiles<S extends string>(buckets: readonly BucketHistogram[], bucketMs: number, series: ReadonlyArray<{ name: S; percentile: number }>): { points: Array<WindowedPoint<S>>; windows: PercentileWindow[] } {
  const points: Array<WindowedPoint<S>> = [];
  const windows: PercentileWindow[] = [];
  for (const s of series) {
    const chosen = chooseWindow(buckets, bucketMs, s.percentile);
    windows.push({ series: s.name, percentile: s.percentile, windowMs: chosen.windowMs, sparse: chosen.sparse });
    for (const w of chosen.windows) {
      const us = w.hist.percentileUs(s.percentile);
      if (us !== null) points.push({ tMs: w.tMs, series: s.name, valueMs: us / 1000 });
    }
  }
  points.sort((a, b) => a.tMs - b.tMs);
  return { points, windows };
}
