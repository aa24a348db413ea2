import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaugeStats, percentileOf, sampleTimeMs, selectSamples } from '../../src/metrics/samples.ts';
import type { SampleRecord } from '../../src/results/format.ts';


test('gauge percentiles interpolate between closest ranks, as k6 trends do', () => {
  const sorted = [1, 2, 3, 4, 10];
  assert.equal(percentileOf(sorted, 50), 3);
  assert.ok(Math.abs((percentileOf(sorted, 90) ?? 0) - 7.6) < 1e-9, 'index 3.6: 4 + 0.6 * (10 - 4)');
  assert.equal(percentileOf(sorted, 0), 1);
  assert.equal(percentileOf(sorted, 100), 10);
  assert.equal(percentileOf([7], 99), 7);
  assert.equal(percentileOf([], 50), null);
});

const s = (tMs: number, value: number | null, extra: Partial<SampleRecord> = {}): SampleRecord => ({ tMs, source: 'x', metric: 'm', value, ...extra });

test('gauge statistics: last value, extremes and mean; ratios are sum(num) / sum(den), not a mean of ratios', () => {
  const g = gaugeStats([s(1000, 0.2), s(2000, 0.6), s(3000, 0.4)]);
  assert.deepEqual([g?.value, g?.min, g?.max, g?.med, g?.count], [0.4, 0.2, 0.6, 0.4, 3]);
  assert.ok(Math.abs((g?.avg ?? 0) - 0.4) < 1e-12);
  const r = gaugeStats([s(1000, 1, { num: 1, den: 1 }), s(2000, 0.5, { num: 50, den: 100 })]);
  assert.equal(r?.value, 51 / 101);
  assert.equal(gaugeStats([s(1000, null)]), null);
});

test('sample selection: gaps are skipped and counted, windows use the interval a sample closes, labels filter and series combine', () => {
  const samples: SampleRecord[] = [
    s(1000, 5, { metric: 'pg_connections', labels: { state: 'active' } }),
    s(1000, 7, { metric: 'pg_connections', labels: { state: 'idle' } }),
    s(2000, 6, { metric: 'pg_connections', labels: { state: 'active' } }),
    s(2000, null, { metric: 'pg_connections', labels: { state: 'idle' }, error: 'timeout' }),
    s(3000, 9, { metric: 'pg_connections', labels: { state: 'active' } }),
  ];
  const all = selectSamples(samples, { metric: 'pg_connections' });
  assert.deepEqual(all.points.map((p) => p.value), [12, 6, 9], 'counts add across states per timestamp');
  assert.equal(all.gaps, 1);
  assert.equal(all.series, 2);
  const active = selectSamples(samples, { metric: 'pg_connections', labels: { state: 'active' }, window: { fromMs: 1000, toMs: 3000 } });
  assert.deepEqual(active.points.map((p) => p.value), [6, 9], 'the 1000 ms sample closes [0, 1000): outside [1000, 3000)');
  assert.equal(sampleTimeMs(0), 0);
  const phased = selectSamples(samples, { metric: 'pg_connections', labels: { phase: 'steady', state: 'active' }, phases: [{ name: 'steady', startMs: 1000, endMs: 2000 }] });
  assert.deepEqual(phased.points.map((p) => p.value), [6]);
  const ratios = selectSamples(
    [s(1000, 0.5, { metric: 'cache_hit_ratio', num: 1, den: 2, labels: { db: 'a' } }), s(1000, 1, { metric: 'cache_hit_ratio', num: 3, den: 3, labels: { db: 'b' } })],
    { metric: 'cache_hit_ratio' },
  );
  assert.equal(ratios.points[0].value, 4 / 5, 'ratios combine by num and den');
});

test('sample selection: an unlabelled series beside labelled ones is their total, taken alone when no label filters', () => {
  const pool = (tMs: number, database: string, v: number) => s(tMs, v, { metric: 'pgbouncer_sv_active', labels: { database, user: 'u' } });
  const total = (tMs: number, v: number) => s(tMs, v, { metric: 'pgbouncer_sv_active' });
  const samples = [pool(1000, 'a', 10), pool(1000, 'b', 15), total(1000, 25), pool(2000, 'a', 20), pool(2000, 'b', 5), total(2000, 25)];
  for (const [labels, expected, series] of [
    [undefined, [25, 25], 1],
    [{ phase: 'steady' }, [25], 1],
    [{ database: 'a' }, [10, 20], 1],
    [{ user: 'u' }, [25, 25], 2],
  ] as const) {
    const sel = selectSamples(samples, { metric: 'pgbouncer_sv_active', labels, phases: [{ name: 'steady', startMs: 1000, endMs: 2000 }] });
    assert.deepEqual(sel.points.map((p) => p.value), expected, JSON.stringify(labels));
    assert.equal(sel.series, series, JSON.stringify(labels));
  }
  const labelledOnly = selectSamples([pool(1000, 'a', 10), pool(1000, 'b', 15)], { metric: 'pgbouncer_sv_active' });
  assert.deepEqual(labelledOnly.points.map((p) => p.value), [25], 'without a total series, series still add up');
});
