import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recorder, mergeIntervalRecords } from '../../src/engine/recorder.ts';
import { decodeHistogram } from '../../src/metrics/histogram.ts';
import type { RequestIntervalRecord, TickIntervalRecord } from '../../src/results/format.ts';

function fill(rec: Recorder, n: number, latencyUs: number, failEvery: number) {
  const s = rec.step('home', 'GET');
  for (let i = 0; i < n; i++) {
    const ok = failEvery === 0 || i % failEvery !== 0;
    s.request(latencyUs + i, ok, ok ? 200 : 503, ok ? undefined : 'http_5xx', 100, 50, 20);
  }
  rec.iteration(latencyUs);
  rec.setVus(3);
}

test('a recorder closes an interval into request records and a tick, then starts afresh', () => {
  const rec = new Recorder(1000);
  fill(rec, 10, 1000, 5);
  const [req, tick] = rec.take(0, { generatorCpu: 0.5, generatorLoopLagP99Ms: 2, phase: 'steady' }) as [RequestIntervalRecord, TickIntervalRecord];
  assert.equal(req.count, 10);
  assert.equal(req.failed, 2);
  assert.deepEqual(req.statuses, { '200': 8, '503': 2 });
  assert.deepEqual(req.errors, { http_5xx: 2 });
  assert.equal(decodeHistogram(req.okHist).totalCount, 8);
  assert.equal(decodeHistogram(req.failHist).totalCount, 2);
  assert.equal(req.bytesIn, 500);
  assert.equal(req.phase, 'steady');
  assert.equal(tick.iterations, 1);
  assert.equal(tick.vus, 3);
  const next = rec.take(1000, { generatorCpu: 0, generatorLoopLagP99Ms: 0 });
  assert.equal(next.length, 1, 'an idle interval has only its tick');
  assert.equal((next[0] as TickIntervalRecord).iterations, 0);
});

test('merging the records of several workers adds counts and histograms exactly', () => {
  const table = [
    { workers: 1, perWorker: 7 },
    { workers: 2, perWorker: 100 },
    { workers: 4, perWorker: 33 },
  ];
  for (const { workers, perWorker } of table) {
    const all = [];
    for (let w = 0; w < workers; w++) {
      const rec = new Recorder(1000);
      fill(rec, perWorker, 1000 * (w + 1), 3);
      all.push(...rec.take(2000, { generatorCpu: 0.1 * w, generatorLoopLagP99Ms: w }));
    }
    const merged = mergeIntervalRecords(all);
    assert.equal(merged.length, 2);
    const req = merged[0] as RequestIntervalRecord;
    const tick = merged[1] as TickIntervalRecord;
    assert.equal(req.count, workers * perWorker);
    const okPerWorker = perWorker - Math.ceil(perWorker / 3);
    assert.equal(decodeHistogram(req.okHist).totalCount, workers * okPerWorker);
    assert.equal(decodeHistogram(req.failHist).totalCount, workers * (perWorker - okPerWorker));
    assert.equal(req.statuses['200'], workers * okPerWorker);
    assert.equal(tick.vus, 3 * workers);
    assert.equal(tick.iterations, workers);
    assert.equal(tick.generatorLoopLagP99Ms, workers - 1);
    // The merged max is the slowest worker's max.
    assert.ok(Math.abs(decodeHistogram(req.okHist).maxValue - (1000 * workers + perWorker - 1)) <= (1000 * workers) / 500, 'max within resolution');
  }
});
