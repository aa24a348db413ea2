import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSlos, slos } from '../../scenarios/slos.ts';
import { parseThresholds } from '../../src/slo/grammar.ts';
import { evaluateThresholds } from '../../src/slo/evaluate.ts';
import { fixture } from './support.ts';

test('every SLO set of the catalogue parses', () => {
  for (const [name, set] of Object.entries(slos)) assert.ok(parseThresholds(set).length > 0, name);
  assert.deepEqual(slos.api.http_req_duration, ['p(50)<50', 'p(95)<100', 'p(99)<200']);
});

test('merging sets concatenates expressions per key and drops duplicates', () => {
  const merged = mergeSlos(slos.api, slos.normal, slos.database, { 'http_req_duration{name:company}': ['p(95)<100'] });
  assert.deepEqual(merged.http_req_duration, ['p(50)<50', 'p(95)<100', 'p(99)<200', 'p(95)<200']);
  assert.deepEqual(merged.http_req_failed, ['rate<0.001']);
  assert.deepEqual(merged.db_pool_utilization, ['max<0.7']);
  assert.deepEqual(merged['http_req_duration{name:company}'], ['p(95)<100']);
  assert.deepEqual(slos.api.http_req_duration, ['p(50)<50', 'p(95)<100', 'p(99)<200'], 'the sets are not modified');
});

test('the catalogue gates the recorded runs: the passing baseline meets normal, the failing run breaks database and cache', async () => {
  const pass = evaluateThresholds(await fixture('pass'), parseThresholds(slos.normal));
  assert.ok(pass.every((e) => e.pass));
  const fail = evaluateThresholds(await fixture('fail'), parseThresholds(mergeSlos(slos.database, slos.cache)));
  assert.deepEqual(fail.map((e) => [e.key, e.pass]), [
    ['db_query_duration', false],
    ['db_pool_utilization', false],
    ['cache_hit_ratio', false],
    ['redis_memory_utilization', true],
  ]);
});
