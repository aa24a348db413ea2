import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinPath, mergeHeaders, withDefaults } from '../../src/scenario/defaults.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import { phaseTagIssues, templateIssues, thresholdIssues } from '../../src/scenario/checks.ts';
import { redactScenario } from '../../src/scenario/redact.ts';
import { ConfigError } from '../../src/errors.ts';
import type { ScenarioDefinition } from '../../src/scenario/types.ts';

const base = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 't',
  target: { baseUrl: 'http://127.0.0.1:1' },
  load: { executor: 'constant-vus', vus: 1, duration: '1s' },
  journeys: [
    { name: 'browse', weight: 3, steps: [{ name: 'list', path: '/companies' }] },
    { name: 'write', steps: [{ name: 'create', method: 'POST', path: '/reports', body: {} }] },
  ],
  ...extra,
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

const lines = (issues: { path: string; message: string }[]) => issues.map((i) => `${i.path}: ${i.message}`);

test('a step gets the default headers under its own, the base path before its path, and the default timeout', () => {
  const defaults = { headers: { Authorization: 'Bearer {{token}}', 'x-client': 'perfgate' }, basePath: '/api/v1/', timeout: '5s' };
  assert.deepEqual(withDefaults({ name: 'a', path: '/companies', headers: { 'X-Client': 'mine' } }, defaults), {
    name: 'a', path: '/api/v1/companies', timeout: '5s', headers: { Authorization: 'Bearer {{token}}', 'X-Client': 'mine' },
  });
  assert.deepEqual(withDefaults({ name: 'a', path: '/x', timeout: '1s' }, { timeout: '5s' }), { name: 'a', path: '/x', timeout: '1s' }, "the step's timeout wins");
  assert.deepEqual(withDefaults({ type: 'sql', name: 'q', connection: 'db', sql: 'select 1' }, defaults), { type: 'sql', name: 'q', connection: 'db', sql: 'select 1', timeout: '5s' });
  const step = { name: 'a', path: '/x' };
  assert.equal(withDefaults(step, undefined), step);
});

const joins: [string, string, string][] = [
  ['/api/v1', '/companies', '/api/v1/companies'],
  ['/api/v1/', '/companies', '/api/v1/companies'],
  ['/', '/companies', '/companies'],
  ['/api', '{{path}}', '/api/{{path}}'],
];
for (const [b, p, want] of joins) test(`the base path ${JSON.stringify(b)} and ${JSON.stringify(p)} join as ${want}`, () => assert.equal(joinPath(b, p), want));

test('header names merge case-insensitively, the step keeping its spelling', () => {
  assert.deepEqual(mergeHeaders({ accept: 'a', 'x-a': '1' }, { Accept: 'b' }), { 'x-a': '1', Accept: 'b' });
  assert.deepEqual(mergeHeaders({ a: '1' }, undefined), { a: '1' });
});

const schemaCases: [string, Record<string, unknown>, string[]][] = [
  ['all three defaults', { defaults: { headers: { authorization: 'Bearer x' }, basePath: '/api/v1', timeout: '3s' } }, []],
  ['an unknown defaults field', { defaults: { header: {} } }, ['defaults.header: unknown field (did you mean "headers"?)']],
  ['a base path without a leading slash', { defaults: { basePath: 'api' } }, ['defaults.basePath: must be a path starting with "/", without a query or a {{template}}, like "/api/v1", got "api"']],
  ['a base path with a query', { defaults: { basePath: '/api?x=1' } }, ['defaults.basePath: must be a path starting with "/", without a query or a {{template}}, like "/api/v1", got "/api?x=1"']],
  ['a templated base path', { defaults: { basePath: '/{{v}}' } }, ['defaults.basePath: must be a path starting with "/", without a query or a {{template}}, like "/api/v1", got "/{{v}}"']],
  ['a bad default timeout', { defaults: { timeout: '0s' } }, ['defaults.timeout: must be longer than 0, got "0s"']],
  ['a header value that is not text', { defaults: { headers: { 'x-n': 1 } } }, ['defaults.headers.x-n: must be a string, got 1']],
  ['a malformed placeholder in a default header', { defaults: { headers: { 'x-id': '{{a b}}' } } }, ['defaults.headers.x-id: invalid template placeholder "{{a b}}" (expected {{name}}, {{name.field}} or {{env.NAME}})']],
];
for (const [name, extra, want] of schemaCases) {
  test(`defaults validation: ${name}`, () => {
    const got = problems(base(extra));
    if (name === 'a header value that is not text') assert.equal(got.length, 1, got.join('\n'));
    else assert.deepEqual(got, want);
  });
}

test('a bad header name in the defaults is named', () => {
  const got = problems(base({ defaults: { headers: { 'bad name': 'x' } } }));
  assert.equal(got.length, 1, got.join('\n'));
  assert.match(got[0]!, /^defaults\.headers/);
});

test('default headers may use feeders, setup captures, builtins and env, but not a journey capture', () => {
  const input = base({
    data: { id: { file: 'ids.csv' } },
    setup: { steps: [{ name: 'login', path: '/login', capture: { token: '$.t' } }] },
    defaults: { headers: { authorization: 'Bearer {{token}}', 'x-vu': '{{__VU}}-{{id}}', 'x-order': '{{order}}', 'x-env': '{{env.NOPE}}' } },
  });
  (input.journeys as any)[0].steps[0].capture = { order: '$.id' };
  assert.deepEqual(lines(templateIssues(input, {})), [
    'defaults.headers.x-order: default headers: unknown template variable "order": no data feeder, setup capture or builtin provides it (default headers go on every journey step, before any capture)',
    'defaults.headers.x-env: default headers: environment variable NOPE is not set ({{env.NOPE}})',
  ]);
});

test('a default authorization header is redacted in the recorded config', () => {
  const def = validateScenario(base({ defaults: { headers: { authorization: 'Bearer s3cret', 'x-trace': 'on' }, basePath: '/api' } }));
  const out = redactScenario(def) as ScenarioDefinition;
  assert.deepEqual(out.defaults, { headers: { authorization: '***', 'x-trace': 'on' }, basePath: '/api' });
  assert.equal(def.defaults!.headers!.authorization, 'Bearer s3cret', 'the definition itself untouched');
});

test('{journey:X} filters a client metric and must name a journey', () => {
  const input = base({ thresholds: { 'http_req_duration{journey:browse}': ['p(95)<100'], 'http_req_failed{journey:brwse}': ['rate<0.01'], 'checks{journey:write}': ['rate>0.9'] } });
  assert.deepEqual(lines(thresholdIssues(input)), []);
  assert.deepEqual(lines(phaseTagIssues(input)), [
    'thresholds["http_req_failed{journey:brwse}"]: journey "brwse" names no journey (did you mean "browse"? journeys: browse, write)',
  ]);
  assert.deepEqual(lines(thresholdIssues(base({ thresholds: { 'vus{journey:browse}': ['max<10'] } }))).length, 1, 'vus takes no journey tag');
});
