import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSlos, onPhase, slos } from '../../scenarios/slos.ts';
import { parseThresholds } from '../../src/slo/grammar.ts';

test('every SLO set of the catalogue parses, alone and restricted to a phase', () => {
  for (const [name, set] of Object.entries(slos)) {
    assert.ok(parseThresholds(set).length > 0, name);
    assert.equal(parseThresholds(onPhase(set, 'steady')).length, parseThresholds(set).length, name);
  }
});

test('onPhase adds the phase tag to plain and tagged keys alike', () => {
  const table: Array<[string, string]> = [
    ['cache_hit_ratio', 'cache_hit_ratio{phase:steady}'],
    ['http_req_duration{name:company}', 'http_req_duration{name:company,phase:steady}'],
  ];
  for (const [key, want] of table) assert.deepEqual(Object.keys(onPhase({ [key]: ['value>0.8'] }, 'steady')), [want]);
  const parsed = parseThresholds(onPhase({ 'http_req_duration{name:company}': ['p(95)<100'] }, 'steady'));
  assert.deepEqual(parsed[0]!.tags, { name: 'company', phase: 'steady' });
});

test('merging sets keeps every expression once, in order', () => {
  assert.deepEqual(mergeSlos(slos.api, slos.normal).http_req_duration, ['p(50)<50', 'p(95)<100', 'p(99)<200', 'p(95)<200']);
  assert.deepEqual(mergeSlos(slos.api, slos.api).http_req_failed, ['rate<0.001']);
});
