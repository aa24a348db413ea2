// Benchmark: a synthetic 30-minute run with 10 request names (1,800 intervals of 1 s) must render its report in
// under 3 s. Prints the median of 3 for wall time and CPU time, the ratio to merely reading the run directory, and the
// peak RSS of `perfgate report` on it against a 1-minute run of the same names (each a process of its own, measured
// by GNU time when the machine has it): under 1.5x for 30x the intervals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readRunDir } from '../../src/results/read.ts';
import { writeReport } from '../../src/run/write-report.ts';
import { syntheticRun, writeRunDir } from '../report/support.ts';

/** Peak RSS of `perfgate report <dir>` in its own process, MB (GNU time). */
function peakRssMb(dir: string): number {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, bin, 'report', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1]) / 1024;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

test('a 30-minute run with 10 request names renders its report in under 3 s (median of 3)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-bench-report-'));
  try {
    const dir = join(root, 'run');
    await writeRunDir(dir, syntheticRun({ durationS: 1800, names: Array.from({ length: 10 }, (_, i) => `endpoint-${i}`), requestsPerInterval: 50 }));
    await writeReport(dir); // warm-up: JIT and module loading
    const wall: number[] = [];
    const cpu: number[] = [];
    const read: number[] = [];
    for (let i = 0; i < 3; i++) {
      let t0 = performance.now();
      const data = await readRunDir(dir);
      read.push(performance.now() - t0);
      assert.equal(data.intervals.filter((r) => r.type === 'tick').length, 1800);
      const c0 = process.cpuUsage();
      t0 = performance.now();
      const out = await writeReport(dir);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      assert.equal(out.chartPaths.length, 10);
    }
    const w = median(wall);
    const c = median(cpu);
    const r = median(read);
    console.log(`report of 1,800 intervals x 10 names: median wall ${w.toFixed(0)} ms, median CPU ${c.toFixed(0)} ms; reading the run alone ${r.toFixed(0)} ms (report = ${(w / r).toFixed(1)}x read); runs: ${wall.map((x) => x.toFixed(0)).join(', ')} ms`);
    // CPU time is what the report costs; wall time on a shared 2-core machine also counts other processes.
    assert.ok(c < 3000, `median CPU ${c.toFixed(0)} ms is over 3 s`);
    if (existsSync('/usr/bin/time')) {
      // The peer: the same 10 names over 1 minute. Memory that grew with the run's length would show as the ratio.
      const short = join(root, 'short');
      await writeRunDir(short, syntheticRun({ durationS: 60, names: Array.from({ length: 10 }, (_, i) => `endpoint-${i}`), requestsPerInterval: 50 }));
      const longMb = peakRssMb(dir);
      const shortMb = peakRssMb(short);
      console.log(`perfgate report peak RSS: ${longMb.toFixed(0)} MB on the 30-minute run, ${shortMb.toFixed(0)} MB on a 1-minute run of the same names (${(longMb / shortMb).toFixed(2)}x for 30x the intervals)`);
      assert.ok(longMb / shortMb < 1.5, `peak RSS ${longMb.toFixed(0)} MB is ${(longMb / shortMb).toFixed(2)}x the 1-minute run's`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
