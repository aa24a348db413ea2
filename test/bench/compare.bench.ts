// Benchmark: `perfgate compare` of two 30-minute runs with 10 request names (one baseline, so every statistic is
// bootstrapped) must take under 2 s of CPU, reading the run directories included. Prints the median of 3.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareGate } from '../../src/run/compare-gate.ts';
import { syntheticRun, writeSyntheticRunDir } from '../compare/support.ts';

test('compare of two 30-minute runs with 10 request names takes under 2 s (median of 3)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-bench-compare-'));
  try {
    const names = Array.from({ length: 10 }, (_, i) => `endpoint-${i}`);
    const spec = { durationS: 1800, ratePerS: 20, names, server: {} };
    await writeSyntheticRunDir(join(root, 'base'), syntheticRun({ ...spec, seed: 1 }), { startedAt: '2026-01-01T00:00:00.000Z' });
    await writeSyntheticRunDir(join(root, 'cand'), syntheticRun({ ...spec, seed: 2 }), { startedAt: '2026-01-02T00:00:00.000Z' });
    const wall: number[] = [];
    const cpu: number[] = [];
    let comparisons = 0;
    for (let i = 0; i < 3; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const { result } = await compareGate({ baselines: [join(root, 'base')], candidate: join(root, 'cand'), out: join(root, 'out') });
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      comparisons = result.comparisons.length;
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    console.log(`compare of 2 x 1,800 intervals x 10 names (${comparisons} statistics): median wall ${median(wall).toFixed(0)} ms, median CPU ${median(cpu).toFixed(0)} ms; runs ${wall.map((x) => x.toFixed(0)).join(', ')} ms`);
    assert.equal(comparisons, 59, "11 scopes x 5 statistics and 4 server statistics");
    // CPU time is what the comparison costs; wall time on a shared machine also counts other processes.
    assert.ok(median(cpu) < 2000, `median CPU ${median(cpu).toFixed(0)} ms is over 2 s`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
