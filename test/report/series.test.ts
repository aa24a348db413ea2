import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientSeriesBuilder, clientSeries, MAX_POINTS } from '../../src/report/series.ts';
import { syntheticRun } from './support.ts';

test('the client series built a record at a time is the series of all the records at once', () => {
  const r = syntheticRun({ durationS: 90, names: ['a', 'b', 'c'] });
  const builder = new ClientSeriesBuilder(r.run.durationMs ?? 0);
  for (const rec of r.intervals) builder.add(rec);
  const streamed = builder.finish();
  assert.deepEqual(streamed, clientSeries(r.intervals, r.run.durationMs ?? 0));
  assert.equal(streamed.totals.requests, r.intervals.reduce((s, x) => s + (x.type === 'req' ? x.count : 0), 0));
});

// A duration hint fixes the width records are summed at before the first one arrives; records running past it are
// coarsened at the end to a multiple of that width, so the chart still holds at most MAX_POINTS points.
const HINTS = [
  { name: 'no hint: summed per interval, coarsened at the end', durationS: 1000, hintMs: 0, bucketMs: 5000 },
  { name: 'the hint covers the run', durationS: 1000, hintMs: 1_000_000, bucketMs: 5000 },
  { name: 'records past a short hint (2 s width; 5 s wanted, 6 s drawn)', durationS: 1000, hintMs: 300_000, bucketMs: 6000 },
  { name: 'a hint longer than the records', durationS: 100, hintMs: 400_000, bucketMs: 2000 },
] as const;

for (const c of HINTS) {
  test(`bucket width, ${c.name}`, () => {
    const r = syntheticRun({ durationS: c.durationS, names: ['a'], requestsPerInterval: 5, server: false });
    const s = clientSeries(r.intervals, c.hintMs);
    assert.equal(s.bucketMs, c.bucketMs);
    assert.ok(s.throughput.length <= MAX_POINTS, `${s.throughput.length} points`);
    assert.ok(s.throughput.every((row) => row.tMs % c.bucketMs === 0), 'rows on bucket starts');
    // however it was bucketed, the totals are the run's: every request counted once, the same merged percentiles
    const plain = clientSeries(r.intervals, c.durationS * 1000);
    assert.equal(s.totals.requests, plain.totals.requests);
    assert.equal(s.totals.p95Ms, plain.totals.p95Ms);
    assert.equal(s.throughput.reduce((n, row) => n + row.reqPerS * (Math.min(c.bucketMs, s.totals.durationMs - row.tMs) / 1000), 0).toFixed(6), plain.totals.requests.toFixed(6));
  });
}
