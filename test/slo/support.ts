// Shared helpers of the SLO tests: the recorded fixtures, and exact expectations computed from the generator's raw data.

import { join } from 'node:path';
import { createHistogram } from '../../src/metrics/histogram.ts';
import { readRunDir, type RunData } from '../../src/results/read.ts';

/** The recorded fixture runs (read-only: tests copy them before writing). */
export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'runs');

/** Reads one fixture run. */
export function fixture(name: 'pass' | 'fail' | 'interrupted' | 'no-server'): Promise<RunData> {
  return readRunDir(join(FIXTURES, name));
}

const reference = createHistogram() as unknown as { highestEquivalentValue(v: number): number };

/**
 * The p-th percentile (ms) an HDR histogram reports for raw latencies (ms), computed independently of any merge:
 * the value at rank max(1, ceil(p/100 * n)) of the sorted microseconds, raised to its bucket's highest value.
 */
export function hdrPercentileMs(rawMs: number[], p: number): number | null {
  if (rawMs.length === 0) return null;
  const us = rawMs.map((v) => Math.round(v * 1000)).sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(Math.round((p / 100) * us.length * 1e9) / 1e9));
  return reference.highestEquivalentValue(us[rank - 1]) / 1000;
}
