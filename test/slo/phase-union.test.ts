// A phase name borne by several stages is judged over all of them: thresholds, the live monitor, capacity, and the
// real `perfgate check`.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateThresholds } from '../../src/slo/evaluate.ts';
import { parseThresholds } from '../../src/slo/grammar.ts';
import { createLiveMonitor } from '../../src/slo/live.ts';
import { findCapacity } from '../../src/slo/capacity.ts';
import { syntheticRun, writeSyntheticRunDir } from './synthetic-run.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** steady (2 s) -> spike (1 s) -> steady (2 s), every request of the second steady failing. */
const steadySpikeSteady = () =>
  syntheticRun([
    { name: 'steady', seconds: 2 },
    { name: 'spike', seconds: 1, perS: 300 },
    { name: 'steady', seconds: 2, failShare: 1 },
  ]);

test('a phase filter judges every stage bearing the name: the failing second steady counts', () => {
  const data = steadySpikeSteady();
  assert.equal(data.run.phases.filter((p) => p.name === 'steady').length, 2);
  const [failed, reqs, p95] = evaluateThresholds(data, parseThresholds({
    'http_req_failed{phase:steady}': ['rate<0.01'],
    'http_reqs{phase:steady}': ['count>0'],
  }).concat(parseThresholds({ 'http_reqs{phase:steady}': ['rate>0'] })));
  assert.equal(failed.observed, 0.5, 'half of the steady requests (the second stretch) failed');
  assert.equal(failed.pass, false);
  assert.deepEqual(failed.window, { fromMs: 0, toMs: 5000, spans: [{ fromMs: 0, toMs: 2000 }, { fromMs: 3000, toMs: 5000 }] });
  assert.equal(reqs.observed, 400);
  assert.equal(p95.observed, 100, 'a rate per second of the 4 s of steady, not of the 5 s the stretches span');
});

test('the live monitor aborts in the second stretch of a phase', () => {
  const data = steadySpikeSteady();
  const monitor = createLiveMonitor(parseThresholds({ 'http_req_failed{phase:steady}': [{ threshold: 'rate<0.3', abortOnFail: true }] }), { phases: data.run.phases });
  let abortAtMs: number | undefined;
  for (let s = 0; s < 5 && abortAtMs === undefined; s++) {
    const res = monitor.onInterval(data.intervals.filter((r) => r.tMs === s * 1000));
    if (res.abort) abortAtMs = res.atMs;
  }
  // steady so far: 200 ok, then 100 failed at 4 s (33%).
  assert.equal(abortAtMs, 4000);
});

test('capacity windows read a phase-tagged SLO over every stretch of its phase', () => {
  const data = syntheticRun([
    { name: 'steady', seconds: 12 },
    { name: 'spike', seconds: 12, perS: 300 },
    { name: 'steady', seconds: 12, failShare: 1 },
  ]);
  const found = findCapacity(data, parseThresholds({ 'http_req_failed{phase:steady}': ['rate<0.01'] }));
  assert.ok(found?.firstBreach, found?.sentence);
  assert.ok(found.firstBreach.atMs > 24_000, `broke in the second steady, at ${found.firstBreach.atMs} ms`);
});

test('perfgate check (the real binary) fails a run whose second stretch of a phase failed every request', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-phase-'));
  dirs.push(root);
  const data = steadySpikeSteady();
  (data.run as { config: unknown }).config = { thresholds: { 'http_req_failed{phase:steady}': ['rate<0.01'] } };
  const dir = await writeSyntheticRunDir(join(root, 'run'), data);
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
    const child = execFile(process.execPath, [BIN, 'check', dir], { env: { ...process.env, GITHUB_STEP_SUMMARY: '' }, timeout: 60_000 }, (_err, out) => resolve({ code: child.exitCode ?? 1, stdout: out }));
  });
  assert.equal(code, 99, stdout);
  assert.match(stdout, /http_req_failed\{phase:steady\} rate<0\.01 {2}50%/);
});

test('an interval straddling a phase\'s start counts in the phase its middle is in, the one the engine tagged', () => {
  // The load started 250 ms into the run clock's second: the phases sit 250 ms off the 1-second intervals. The engine
  // tags the interval 3-4 s `outage` (its middle, 3.5 s, is 3.25 s into the load), and every request in it failed.
  const data = syntheticRun([
    { name: 'before', seconds: 3 },
    { name: 'outage', seconds: 3, failShare: 1 },
    { name: 'after', seconds: 2 },
  ]);
  data.run.phases = data.run.phases.map((p) => ({ ...p, startMs: p.startMs + 250, endMs: p.endMs + 250 }));
  const [outage, before] = evaluateThresholds(data, parseThresholds({ 'http_req_failed{phase:outage}': ['rate<0.01'], 'http_reqs{phase:before}': ['count>0'] }));
  assert.equal(outage.observed, 1, 'every outage interval failed, the first (3-4 s) included');
  assert.equal(before.observed, 300, 'the three before intervals, none of the outage');
  assert.equal(evaluateThresholds(data, parseThresholds({ 'http_reqs{phase:outage}': ['count>0'] }))[0].observed, 300, 'all three outage intervals');
});
