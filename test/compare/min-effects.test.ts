// Per-statistic minimum effects: the scenario's `compare` block, its validation, and its effect on the gate.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../src/compare/compare.ts';
import { ConfigError } from '../../src/errors.ts';
import { minEffectsFromScenario, parseEffect } from '../../src/run/compare-gate.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import { syntheticRun, type SyntheticRunSpec } from './support.ts';

const scenario = (compare: unknown) => ({
  name: 'x', target: { baseUrl: 'http://127.0.0.1:1' }, load: { executor: 'constant-vus', vus: 1, duration: '1s' },
  journeys: [{ name: 'j', steps: [{ name: 's', method: 'GET', path: '/' }] }], compare,
});

test('minimum effects parse from percentages, per statistic or per metric', () => {
  const rows: Array<[string | number, number]> = [['10%', 0.1], ['5 %', 0.05], [10, 0.1], ['0.2', 0.2], ['12.5%', 0.125]];
  for (const [text, want] of rows) assert.equal(parseEffect(text, 'f'), want, String(text));
  for (const bad of ['', 'lots', '-5%', '0%', '2000%']) assert.throws(() => parseEffect(bad, '--min-effect'), (e: unknown) => e instanceof ConfigError && e.issues[0].path === '--min-effect', bad);
  assert.deepEqual(minEffectsFromScenario({ 'http_req_duration{name:company}': { 'p(95)': '5%' }, db_query_duration: '20%' }), {
    'http_req_duration{name:company} p(95)': 0.05,
    db_query_duration: 0.2,
  });
});

test('a scenario may carry a compare block; a bad percentage is a ConfigError naming the field', () => {
  assert.ok(validateScenario(scenario({ 'http_req_duration{name:company}': { 'p(95)': '5%' } })).compare);
  assert.throws(() => validateScenario(scenario({ 'http_req_duration{name:company}': { 'p(95)': 'five' } })), (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.path.startsWith('compare') && i.message.includes('percentage')));
});

test('a per-statistic minimum effect decides whether a regression fails the gate', () => {
  const spec: Partial<SyntheticRunSpec> = { durationS: 30, ratePerS: 40, names: ['list', 'item'], runSpread: 0.02 };
  const bases = Array.from({ length: 5 }, (_, j) => syntheticRun({ ...spec, seed: 8_000 + j }));
  const cand = syntheticRun({ ...spec, seed: 8_009, slowdown: { factor: 1.3, name: 'item' } });
  const strict = compareRuns(bases, cand);
  assert.equal(strict.comparisons.find((c) => c.key === 'http_req_duration{name:item} p(95)')?.gated, true);
  const lenient = compareRuns(bases, cand, { minEffects: { http_req_duration: 0.8 } });
  const p95 = lenient.comparisons.find((c) => c.key === 'http_req_duration{name:item} p(95)');
  assert.equal(p95?.verdict, 'regressed');
  assert.equal(p95?.gated, false, 'shown smaller than the 80% minimum');
  assert.equal(p95?.minEffect, 0.8);
  assert.equal(lenient.exitCode, 0);
});
