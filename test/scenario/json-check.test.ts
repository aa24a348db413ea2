import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileJsonCheck } from '../../src/scenario/json-check.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import { checkNames, phaseTagIssues, thresholdIssues } from '../../src/scenario/checks.ts';
import { ConfigError } from '../../src/errors.ts';
import { Recorder, mergeIntervalRecords } from '../../src/engine/recorder.ts';
import { aggregateClient } from '../../src/metrics/aggregate.ts';
import type { JsonCheck } from '../../src/scenario/types.ts';

const body = { id: 7, name: 'ACME Corp', status: 'active', price: 12.5, tags: ['a', 'b'], items: [], nested: { ok: true } };

const cases: [string, string | JsonCheck, boolean][] = [
  ['a path that exists', '$.id', true],
  ['a path that does not', '$.nope', false],
  ['equality with a number', { path: '$.id', equals: 7 }, true],
  ['equality is strict about types', { path: '$.id', equals: '7' }, false],
  ['equality with an object', { path: '$.nested', equals: { ok: true } }, true],
  ['equality with a list', { path: '$.tags', equals: ['a', 'b'] }, true],
  ['in a list of values', { path: '$.status', in: ['active', 'pending'] }, true],
  ['not in a list of values', { path: '$.status', in: ['closed'] }, false],
  ['below a limit', { path: '$.price', lt: 13 }, true],
  ['not below a limit', { path: '$.price', lt: 12.5 }, false],
  ['at most a limit', { path: '$.price', lte: 12.5 }, true],
  ['above a limit', { path: '$.price', gt: 12 }, true],
  ['between two limits', { path: '$.price', gt: 10, lt: 12 }, false],
  ['at least a limit', { path: '$.id', gte: 7 }, true],
  ['a number comparison on a string fails', { path: '$.status', gt: 0 }, false],
  ['a regular expression that matches', { path: '$.name', matches: '^ACME\\b' }, true],
  ['a regular expression that does not', { path: '$.name', matches: '^acme' }, false],
  ['a regular expression on a number fails', { path: '$.id', matches: '7' }, false],
  ['the length of a list', { path: '$.tags', length: 2 }, true],
  ['the length of an empty list', { path: '$.items', length: { gt: 0 } }, false],
  ['the length of a string, bounded', { path: '$.name', length: { gte: 3, lte: 20 } }, true],
  ['the length of a number fails', { path: '$.id', length: 1 }, false],
  ['the length with equals', { path: '$.tags', length: { equals: 3 } }, false],
  ['every comparison must hold', { path: '$.price', gt: 0, equals: 12.5, in: [12.5] }, true],
  ['a missing value fails every comparison', { path: '$.missing', length: { gte: 0 } }, false],
];
for (const [name, check, want] of cases) {
  test(`a jsonPath check: ${name} ${want ? 'passes' : 'fails'}`, () => {
    assert.equal(compileJsonCheck(check, 'step', 'f').test(body), want);
  });
}

test('a jsonPath check is named by its own name, or the name it is given', () => {
  assert.equal(compileJsonCheck({ path: '$.id', name: 'has id' }, 'step', 'f').name, 'has id');
  assert.equal(compileJsonCheck('$.id', 'company', 'f').name, 'company');
});

const scenario = (check: unknown, thresholds?: unknown) => ({
  name: 't',
  target: { baseUrl: 'http://127.0.0.1:1' },
  load: { executor: 'constant-vus', vus: 1, duration: '1s' },
  journeys: [{ name: 'j', steps: [{ name: 'company', path: '/', check }] }],
  ...(thresholds ? { thresholds } : {}),
});

function problems(input: unknown): string[] {
  try {
    validateScenario(input);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

const P = 'journeys[0].steps[0].check';
const schemaCases: [string, unknown, string[]][] = [
  ['a path string', { jsonPath: '$.id' }, []],
  ['a comparing check', { jsonPath: { path: '$.id', gt: 0, name: 'positive id' } }, []],
  ['a list of checks', { name: 'company ok', status: 200, jsonPath: ['$.id', { path: '$.tags', length: { gt: 0 } }, { path: '$.s', in: ['a'] }] }, []],
  ['a bad regular expression', { jsonPath: { path: '$.n', matches: '(' } }, [`${P}.jsonPath.matches: invalid regular expression "(": Invalid regular expression: /(/: Unterminated group`]],
  ['a bad path in a check', { jsonPath: { path: 'id' } }, [`${P}.jsonPath.path: invalid JSON path "id": it must start with '$'`]],
  ['an unknown comparison', { jsonPath: { path: '$.id', below: 3 } }, [`${P}.jsonPath.below: unknown field (known fields: path, name, equals, in, lt, gt, lte, gte, matches, length)`]],
  ['a limit that is not a number', { jsonPath: { path: '$.id', lt: '3' } }, [`${P}.jsonPath.lt: must be a number, got "3"`]],
  ['an empty in list', { jsonPath: { path: '$.id', in: [] } }, [`${P}.jsonPath.in: must have at least 1 item`]],
  ['a negative length', { jsonPath: { path: '$.id', length: -1 } }, [`${P}.jsonPath.length: must be at least 0, got -1`]],
  ['an empty list of checks', { jsonPath: [] }, [`${P}.jsonPath: must have at least 1 item`]],
  ['a check name with a colon', { name: 'a:b', status: 200 }, [`${P}.name: must be a name without ",", ":", "{" or "}" and without outer spaces (it is the check tag of checks{check:NAME}), got "a:b"`]],
  ['a jsonPath check name with a comma', { jsonPath: { path: '$.id', name: 'a,b' } }, [`${P}.jsonPath.name: must be a name without ",", ":", "{" or "}" and without outer spaces (it is the check tag of checks{check:NAME}), got "a,b"`]],
  ['a bad limit in a list of checks, at its index', { jsonPath: ['$.a', { path: '$.b', gt: 'x' }] }, [`${P}.jsonPath[1].gt: must be a number, got "x"`]],
  ['a check that is neither', { jsonPath: 3 }, [`${P}.jsonPath: must be a JSON path like "$.items" or a check {path, name?, equals?, in?, lt?, gt?, lte?, gte?, matches?, length?}`]],
];
for (const [name, check, want] of schemaCases) {
  test(`check validation: ${name}`, () => {
    assert.deepEqual(problems(scenario(check)), want);
  });
}

test('check names: the block name or the step name, and each named jsonPath check', () => {
  assert.deepEqual(checkNames(scenario({ status: 200 })), ['company']);
  assert.deepEqual(checkNames(scenario({ name: 'ok', jsonPath: [{ path: '$.a', name: 'has a' }] })), ['has a']);
  assert.deepEqual(checkNames(scenario({ name: 'ok', status: 200, jsonPath: [{ path: '$.a', name: 'has a' }, '$.b'] })), ['ok', 'has a']);
});

test('checks{check:NAME} must name a check', () => {
  const input = scenario({ name: 'company ok', status: 200, jsonPath: { path: '$.id', name: 'has id' } }, {
    'checks{check:has id}': ['rate>0.99'],
    'checks{check:company ok}': ['rate>0.99'],
    'checks{check:has di}': ['rate>0.99'],
    'http_req_duration{check:has id}': ['p(95)<1'],
  });
  const lines = [...thresholdIssues(input), ...phaseTagIssues(input)].map((i) => `${i.path}: ${i.message}`);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0]!, /tag "check" cannot filter http_req_duration/);
  assert.equal(lines[1], 'thresholds["checks{check:has di}"]: check "has di" names no check (did you mean "has id"? checks: company ok, has id; a check is named by its jsonPath check\'s name, its check block\'s name, or its step\'s name)');
});

test('checks are counted by name in the interval record, merged across workers, and selected by {check:NAME}', () => {
  const a = new Recorder();
  const b = new Recorder();
  const sa = a.step('company', 'GET', 'browse');
  const sb = b.step('company', 'GET', 'browse');
  sa.check(true, 'status');
  sa.check(false, 'has id');
  sb.check(true, 'has id');
  sb.check(true, 'has id');
  const merged = mergeIntervalRecords([...a.take(0, { generatorCpu: 0, generatorLoopLagP99Ms: 0 }), ...b.take(0, { generatorCpu: 0, generatorLoopLagP99Ms: 0 })]);
  const req = merged.find((r) => r.type === 'req')!;
  assert.ok(req.type === 'req');
  assert.deepEqual(req.checksByName, { status: [1, 0], 'has id': [2, 1] });
  assert.equal(req.journey, 'browse');
  const all = { fromMs: 0, toMs: Infinity };
  assert.equal(aggregateClient(merged, 'checks', { check: 'has id' }, all).get({ kind: 'rate' }), 2 / 3);
  assert.equal(aggregateClient(merged, 'checks', {}, all).get({ kind: 'rate' }), 3 / 4);
  assert.equal(aggregateClient(merged, 'checks', { check: 'nope' }, all).get({ kind: 'rate' }), null);
});
