// Latency percentiles of a run for the gate: the exact value from merged HDR histograms, and the per-interval data
// of its bootstrap. A replicate's percentile is read on a grid of thresholds around the run's own percentile: each
// interval contributes its request count and its counts at or below each threshold, so a replicate sums a few dozen
// numbers per block instead of merging whole histograms. Pure.

import { createHistogram } from '../metrics/histogram.ts';
import { decodeSparse, SparseHistogram } from '../metrics/sparse-histogram.ts';
import type { IntervalSeries } from './bootstrap.ts';

interface Layout {
  countsArrayIndex(value: number): number;
}
const layout = createHistogram() as unknown as Layout;

/** Threshold grid points per percentile. */
const GRID = 48;

/** The latency histograms of each 1-second interval, and their merge. */
export interface LatencyIntervals {
  perInterval: SparseHistogram[][];
  merged: SparseHistogram;
}

/** Decodes and merges each interval's encoded histograms ("" entries skipped), keeping the interval layout for the bootstrap. */
export function latencyIntervals(encoded: string[][]): LatencyIntervals {
  const merged = new SparseHistogram();
  const perInterval = encoded.map((list) => list.filter((e) => e).map(decodeSparse));
  for (const list of perInterval) for (const h of list) merged.merge(h);
  return { perInterval, merged };
}

/** The grid of threshold values (us), strictly increasing, at ranks q +- delta of the merged histogram. */
function thresholdGrid(merged: SparseHistogram, q: number): number[] {
  const n = merged.totalCount;
  const delta = Math.min(Math.min(q, 1 - q) / 2, 10 * Math.sqrt((q * (1 - q)) / n));
  const ranks = Array.from({ length: GRID }, (_, g) => 100 * (q - delta + (2 * delta * g) / (GRID - 1)));
  const values = merged.percentilesUs(ranks).filter((v): v is number => v !== null);
  return [...new Set(values)];
}

/**
 * The q-quantile (us) of a replicate: rank q * total located on the grid by walking out from the grid's centre (the
 * run's own percentile, where replicates fall; each step reads one column) and interpolated on the log scale.
 */
function gridQuantile(column: (j: number) => number, grid: readonly number[], q: number): number {
  const total = column(0);
  if (total <= 0) return NaN;
  const target = q * total;
  const at = (g: number) => column(1 + g);
  const last = grid.length - 1;
  let hi = grid.length >> 1;
  if (at(hi) >= target) {
    while (hi > 0 && at(hi - 1) >= target) hi--;
    if (hi === 0) return grid[0];
  } else {
    while (hi < last && at(hi) < target) hi++;
    if (at(hi) < target) return grid[last];
  }
  const c0 = at(hi - 1);
  const c = at(hi);
  const f = c > c0 ? (target - c0) / (c - c0) : 1;
  return grid[hi - 1] * Math.pow(grid[hi] / grid[hi - 1], f);
}

/** The bootstrap series of the q-quantile of latency: rows [count, count <= grid_0, ..., count <= grid_G-1]. */
export function percentileSeries(li: LatencyIntervals, q: number): IntervalSeries | null {
  if (li.merged.totalCount === 0) return null;
  const grid = thresholdGrid(li.merged, q);
  if (grid.length < 2) return null;
  const gridIdx = grid.map((v) => layout.countsArrayIndex(v));
  // The block length comes from the median's linearisation: a tail's own indicator series is too sparse (a few
  // requests beyond p99 per second) to show the dependence of consecutive seconds.
  const medianIdx = layout.countsArrayIndex(li.merged.percentileUs(50) as number);
  const n = li.perInterval.length;
  const d = 1 + grid.length;
  const rows = new Float64Array(n * d);
  const driver = new Float64Array(n);
  const cell = new Float64Array(grid.length + 1);
  for (let t = 0; t < n; t++) {
    cell.fill(0);
    let total = 0;
    let below = 0;
    for (const h of li.perInterval[t]) {
      for (const [i, c] of h.counts) {
        total += c;
        if (i <= medianIdx) below += c;
        cell[firstAtOrAbove(gridIdx, i)] += c;
      }
    }
    const o = t * d;
    rows[o] = total;
    let cum = 0;
    for (let g = 0; g < grid.length; g++) {
      cum += cell[g];
      rows[o + 1 + g] = cum;
    }
    driver[t] = below - 0.5 * total;
  }
  return { rows, n, d, driver, stat: (column) => gridQuantile(column, grid, q) / 1000 };
}

/** The first grid position whose bucket index is >= i (grid.length when none): the cell a bucket counts in. */
function firstAtOrAbove(gridIdx: readonly number[], i: number): number {
  let lo = 0;
  let hi = gridIdx.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (gridIdx[mid] >= i) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
