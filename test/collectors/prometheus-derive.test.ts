import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExposition } from '../../src/collectors/prometheus-parse.ts';
import { DEFAULT_PROM_NAMES, PrometheusDeriver } from '../../src/collectors/prometheus-derive.ts';
import type { CollectorSample } from '../../src/collectors/types.ts';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/prometheus', name), 'utf8');
const byMetric = (samples: CollectorSample[]): Map<string, CollectorSample> => new Map(samples.map((s) => [s.metric, s]));

test('the first scrape gives gauges only; counters and histograms need a baseline', () => {
  const d = new PrometheusDeriver();
  const m = byMetric(d.derive(parseExposition(fixture('target-t0.txt')), 0));
  assert.equal(m.get('db_pool_utilization')?.value, (4 - 3) / 20);
  assert.equal(m.get('db_pool_waiting')?.value, 0);
  assert.equal(m.get('target_rss')?.value, 80e6);
  assert.equal(m.get('target_event_loop_lag')?.value, 2);
  for (const k of ['target_cpu', 'rate_limited', 'db_query_duration', 'target_http_req_duration', 'target_cache_hit_ratio']) {
    assert.equal(m.has(k), false, k);
  }
});

test('the second scrape derives every metric from deltas (hand-computed from the recorded fixtures)', () => {
  const d = new PrometheusDeriver();
  d.derive(parseExposition(fixture('target-t0.txt')), 0);
  const m = byMetric(d.derive(parseExposition(fixture('target-t1.txt')), 1000));
  assert.equal(m.get('db_pool_utilization')?.value, 1);
  assert.equal(m.get('db_pool_waiting')?.value, 7);
  assert.equal(m.get('target_cpu')?.value, 0.25);
  assert.equal(m.get('target_event_loop_lag')?.value, 12.5);
  assert.equal(m.get('circuit_breaker_state')?.value, 2);
  // rate_limited_total had no series at t0 (declared only): the 2 refusals are this interval's
  assert.equal(m.get('rate_limited')?.value, 2);
  const cache = m.get('target_cache_hit_ratio');
  assert.deepEqual([cache?.value, cache?.num, cache?.den], [0.9, 90, 100]);
  // 100 requests: 50 <= 5 ms, 40 <= 50 ms, 10 <= 500 ms; p95 = 200 + 300 * 5/10
  const http = m.get('target_http_req_duration');
  assert.ok(Math.abs((http?.value as number) - 350) < 1e-9, String(http?.value));
  assert.deepEqual(http?.buckets?.filter(([le]) => le === 5 || le === 50 || le === 500 || le === '+Inf'), [
    [5, 50],
    [50, 90],
    [500, 100],
    ['+Inf', 100],
  ]);
  // 20 queries at 20 ms, in (10, 25]: p95 = 10 + 15 * 19/20
  assert.ok(Math.abs((m.get('db_query_duration')?.value as number) - 24.25) < 1e-9);
});

test('a restarted target (counters reset) yields the new values as deltas, never negative', () => {
  const d = new PrometheusDeriver();
  d.derive(parseExposition(fixture('target-t1.txt')), 0);
  const m = byMetric(d.derive(parseExposition(fixture('target-t0.txt')), 2000));
  assert.equal(m.get('target_cpu')?.value, 1.5 / 2);
  const http = m.get('target_http_req_duration');
  assert.equal(http?.buckets?.at(-1)?.[1], 10);
  assert.equal(m.get('rate_limited')?.value, 0);
  assert.equal(m.get('target_cache_hit_ratio')?.den, 20);
});

test('a name map points the collector at another service', () => {
  const d = new PrometheusDeriver({ ...DEFAULT_PROM_NAMES, db_pool_total: 'app_pool_size', db_pool_idle: 'app_pool_free', db_pool_max: 'app_pool_limit' });
  const m = byMetric(d.derive(parseExposition('app_pool_size 8\napp_pool_free 2\napp_pool_limit 10\n'), 0));
  assert.equal(m.get('db_pool_utilization')?.value, 0.6);
  assert.equal(m.get('db_pool_connections')?.value, 8, 'the pool\'s open connections, for the db-network leak gate');
  assert.equal(m.size, 2);
});

test('an interval with no observations gives a null p95 and zero buckets', () => {
  const d = new PrometheusDeriver();
  d.derive(parseExposition(fixture('target-t1.txt')), 0);
  const http = byMetric(d.derive(parseExposition(fixture('target-t1.txt')), 1000)).get('target_http_req_duration');
  assert.equal(http?.value, null);
  assert.equal(http?.error, undefined);
  assert.ok(http?.buckets?.every(([, n]) => n === 0));
});

test('a recorded /metrics of the reference target (2 cluster workers, aggregated) yields every metric', () => {
  const text = fixture('reference-target-2-workers.txt');
  const d = new PrometheusDeriver();
  const first = byMetric(d.derive(parseExposition(text), 0));
  assert.equal(first.get('db_pool_utilization')?.value, 0, '2 open, 2 idle, of 40 (20 per worker)');
  assert.equal(first.get('circuit_breaker_state')?.value, 0);
  assert.ok((first.get('target_rss')?.value as number) > 0);
  const second = byMetric(d.derive(parseExposition(text), 1000));
  for (const m of ['target_cpu', 'rate_limited', 'db_query_duration', 'target_http_req_duration', 'target_cache_hit_ratio']) {
    assert.ok(second.has(m), m);
  }
  assert.equal(second.get('target_cpu')?.value, 0, 'the same exposition twice: no CPU used');
  assert.equal(second.get('target_cache_hit_ratio')?.value, null, 'no lookups in the interval');
  assert.equal(second.get('target_http_req_duration')?.value, null);
});
