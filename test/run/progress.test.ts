import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProgress, progressOf } from '../../src/run/progress.ts';
import { Recorder } from '../../src/engine/recorder.ts';

test('a progress line shows elapsed/total, phase, VUs, req/s, p95 and error rate', () => {
  const rec = new Recorder(1000);
  const s = rec.step('home', 'GET');
  for (let i = 1; i <= 100; i++) s.request(i * 1000, i <= 98, i <= 98 ? 200 : 500, i <= 98 ? undefined : 'http_5xx', 0, 0, 0);
  rec.setVus(7);
  const p = progressOf(rec.take(4000, { generatorCpu: 0, generatorLoopLagP99Ms: 0, phase: 'steady' }), 0, 60_000)!;
  assert.equal(p.reqPerS, 100);
  assert.equal(p.vus, 7);
  assert.equal(p.errorRate, 0.02);
  assert.ok(Math.abs(p.p95Ms! - 95) < 0.5, String(p.p95Ms));
  assert.equal(formatProgress(p), '5s/1m00s | phase steady | VUs 7 active | 100 req/s | p95 95.0 ms | errors 2.00%');
});
