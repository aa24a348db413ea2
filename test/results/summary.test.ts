import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSummary, metricKey } from '../../src/results/summary.ts';
import { evaluateRunData } from '../../src/slo/evaluate-run.ts';
import { evaluateThresholds } from '../../src/slo/evaluate.ts';
import { parseThresholds } from '../../src/slo/grammar.ts';
import { buildVerdict } from '../../src/slo/verdict.ts';
import { fixture } from '../slo/support.ts';

test('summary.json has every client metric in k6 shape, with sub-metrics per step name', async () => {
  const data = await fixture('pass');
  const s = buildSummary(data);
  assert.equal(s.format, 1);
  assert.deepEqual(s.state, { testRunDurationMs: 120_000, status: 'completed' });
  const d = s.metrics.http_req_duration;
  assert.equal(d.type, 'trend');
  assert.equal(d.contains, 'time');
  assert.deepEqual(Object.keys(d.values).sort(), ['avg', 'count', 'max', 'med', 'min', 'p(90)', 'p(95)', 'p(99)']);
  assert.ok(d.values.min <= d.values.med && d.values.med <= d.values['p(95)'] && d.values['p(95)'] <= d.values.max);
  assert.equal(s.metrics.http_reqs.type, 'counter');
  assert.equal(s.metrics.http_reqs.values.count, d.values.count);
  assert.equal(s.metrics.http_reqs.values.rate, Math.round((d.values.count / 120) * 1e9) / 1e9);
  assert.deepEqual(Object.keys(s.metrics.http_req_failed.values).sort(), ['fails', 'passes', 'rate']);
  assert.equal(s.metrics.checks.values.rate, 1);
  assert.equal(s.metrics.vus.type, 'gauge');
  assert.equal(s.metrics.vus.values.max, 20);
  assert.equal(s.metrics.data_received.contains, 'data');
  assert.ok(s.metrics.iterations.values.count > 0);
  assert.ok(s.metrics.iteration_duration.values['p(95)'] > 2000);
  assert.ok(s.metrics['http_req_duration{expected_response:true}']);
  for (const name of ['list-companies', 'company', 'create-report']) {
    assert.equal(s.metrics[`http_req_duration{name:${name}}`].type, 'trend', name);
    assert.equal(s.metrics[`http_req_failed{name:${name}}`].values.rate, 0, name);
    assert.ok(s.metrics[`http_reqs{name:${name}}`].values.count > 0, name);
  }
  const perName = ['list-companies', 'company', 'create-report'].reduce((a, n) => a + s.metrics[`http_reqs{name:${n}}`].values.count, 0);
  assert.equal(perName, s.metrics.http_reqs.values.count);
  assert.equal(s.metrics.http_req_duration.thresholds, undefined, 'no verdict, no thresholds');
});

test('every server metric seen in samples is summarised like the client ones, per label set too', async () => {
  const data = await fixture('pass');
  const s = buildSummary(data);
  for (const m of ['db_pool_utilization', 'db_pool_waiting', 'db_query_duration', 'pg_connections', 'cache_hit_ratio', 'redis_memory_utilization', 'host_cpu_utilization', 'host_memory_utilization', 'target_http_req_duration', 'circuit_breaker_state', 'generator_cpu', 'generator_event_loop_lag']) {
    assert.ok(s.metrics[m], m);
  }
  assert.deepEqual(Object.keys(s.metrics.db_pool_utilization.values).sort(), ['avg', 'max', 'med', 'min', 'p(90)', 'p(95)', 'p(99)', 'value']);
  assert.equal(s.metrics.db_query_duration.type, 'trend');
  assert.equal(s.metrics.db_query_duration.contains, 'time');
  const cache = data.samples.filter((x) => x.metric === 'cache_hit_ratio' && x.value !== null);
  const ratio = cache.reduce((a, x) => a + (x.num ?? 0), 0) / cache.reduce((a, x) => a + (x.den ?? 0), 0);
  assert.equal(s.metrics.cache_hit_ratio.values.value, Math.round(ratio * 1e9) / 1e9);
  for (const state of ['active', 'idle', 'idle in transaction']) assert.ok(s.metrics[`pg_connections{state:${state}}`], state);
  assert.ok(s.metrics.pg_connections.values.max > s.metrics['pg_connections{state:active}'].values.max, 'states add up without a filter');
  const noServer = buildSummary(await fixture('no-server'));
  assert.equal(noServer.metrics.db_pool_utilization, undefined);
});

test("summary values equal the evaluator's observed values, and thresholds.ok agrees with the verdict", async () => {
  const data = await fixture('fail');
  const parsed = parseThresholds({
    http_req_duration: ['p(95)<200', 'p(99)<5000'],
    'http_req_duration{phase:ramp-down}': ['p(95)<200'],
    db_query_duration: ['p(95)<50'],
    'pg_connections{state:waiting}': ['max<1'],
  });
  const entries = evaluateThresholds(data, parsed);
  const verdict = buildVerdict(data.run, entries, []);
  const s = buildSummary(data, verdict);
  assert.equal(s.metrics.http_req_duration.values['p(95)'], entries[0].observed);
  assert.equal(s.metrics.db_query_duration.values['p(95)'], entries[3].observed);
  assert.deepEqual(s.metrics.http_req_duration.thresholds, { 'p(95)<200': { ok: false }, 'p(99)<5000': { ok: true } });
  assert.equal(s.metrics['http_req_duration{phase:ramp-down}'].values['p(95)'], entries[2].observed, 'a threshold key gets its own sub-metric');
  assert.deepEqual(s.metrics['pg_connections{state:waiting}'], { type: 'gauge', contains: 'default', values: {}, thresholds: { 'max<1': { ok: false } } });
  const whole = evaluateRunData(data);
  for (const e of whole.verdict.thresholds) assert.equal(whole.summary.metrics[e.key].thresholds?.[e.expression].ok, e.pass);
  assert.equal(metricKey('m', { a: '1', b: '2' }), 'm{a:1,b:2}');
});
