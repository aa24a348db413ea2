import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactScenario } from '../../src/scenario/redact.ts';
import { redactUrl } from '../../src/redact.ts';
import type { ScenarioDefinition } from '../../src/scenario/types.ts';

const urls: [string, string][] = [
  ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ['http://user:hunter2@127.0.0.1:8080/x', 'http://user:***@127.0.0.1:8080/x'],
  ['postgres://app:s3cr%40t@127.0.0.1:5432/db', 'postgres://app:***@127.0.0.1:5432/db'],
  ['redis://:pw@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
  ['postgres://app@127.0.0.1/db?sslmode=disable&password=x', 'postgres://app@127.0.0.1/db?sslmode=disable&password=***'],
  ['http://127.0.0.1/cb?token=abc&page=2', 'http://127.0.0.1/cb?token=***&page=2'],
  ['not a url', 'not a url'],
];
for (const [input, output] of urls) {
  test(`the URL ${input} is written as ${output}`, () => assert.equal(redactUrl(input), output));
}

const def: ScenarioDefinition = {
  name: 'secrets',
  target: { baseUrl: 'http://admin:topsecret@127.0.0.1:8080' },
  load: { executor: 'constant-vus', vus: 1, duration: '1s' },
  setup: {
    steps: [
      {
        name: 'token',
        method: 'POST',
        path: '/auth/token',
        body: { clientId: 'c1', clientSecret: 'shh', nested: { password: 'p', keep: 'k' }, list: [{ api_key: 'z' }] },
        capture: { token: '$.access_token' },
      },
    ],
  },
  journeys: [
    {
      name: 'j',
      steps: [
        { name: 'a', path: '/x?session=1', headers: { Authorization: 'Bearer {{token}}', 'X-Api-Key': 'k', accept: 'application/json' } },
        { name: 'b', method: 'POST', path: '/login', body: 'user=ann&password=pw&remember=1' },
        { name: 'q', type: 'sql', connection: 'db', sql: 'select 1' },
      ],
    },
  ],
  connections: { db: { url: 'postgres://app:dbpass@127.0.0.1:5432/app' } },
  collectors: { postgres: { url: 'postgres://mon:monpass@127.0.0.1/postgres' }, prometheus: { metrics: { session_count: 'x' } } },
  faults: [{ action: 'upstream-latency', at: '1s', params: { latencyMs: 50, token: 't' } }],
  thresholds: { 'http_req_duration{name:token}': ['p(95)<100'] },
};

test('a redacted scenario with --keep-bodies keeps no secret and keeps everything else', () => {
  const out = redactScenario(def, { keepBodies: true });
  const text = JSON.stringify(out);
  for (const secret of ['topsecret', 'shh', '"p"', '"z"', 'Bearer', 'dbpass', 'monpass', 'password=pw', '"t"', 'session=1']) {
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  }
  assert.equal(out.target.baseUrl, 'http://admin:***@127.0.0.1:8080');
  const setupBody = (out.setup!.steps[0] as { body: Record<string, unknown> }).body;
  assert.deepEqual(setupBody, { clientId: 'c1', clientSecret: '***', nested: { password: '***', keep: 'k' }, list: [{ api_key: '***' }] });
  const a = out.journeys[0]!.steps[0] as { headers: Record<string, string>; path: string };
  assert.deepEqual(a.headers, { Authorization: '***', 'X-Api-Key': '***', accept: 'application/json' });
  assert.equal(a.path, '/x?session=***', 'secret query parameters of a path are hidden');
  assert.equal((out.journeys[0]!.steps[1] as { body: string }).body, 'user=ann&password=***&remember=1');
  assert.deepEqual(out.setup!.steps[0]!.type === 'sql' ? {} : out.setup!.steps[0]!.capture, { token: '$.access_token' });
  assert.deepEqual(out.thresholds, def.thresholds);
  assert.deepEqual(out.collectors!.prometheus, { metrics: { session_count: 'x' } });
  assert.deepEqual(out.faults![0]!.params, { latencyMs: 50, token: '***' });
  assert.deepEqual(out.journeys[0]!.steps[2], def.journeys[0]!.steps[2]);
});

test('by default a body is reduced to its shape: keys and types, never values', () => {
  const out = redactScenario(def);
  const setupBody = (out.setup!.steps[0] as { body: unknown }).body;
  assert.deepEqual(setupBody, { clientId: '<string>', clientSecret: '<string>', nested: { password: '<string>', keep: '<string>' }, list: [{ api_key: '<string>' }] });
  assert.equal((out.journeys[0]!.steps[1] as { body: string }).body, 'user=<string>&password=<string>&remember=<string>');
  const text = JSON.stringify(out);
  for (const value of ['c1', 'shh', 'ann']) assert.ok(!text.includes(`"${value}"`) && !text.includes(`=${value}`), `${value} kept: ${text}`);
});

test('redaction does not modify its input', () => {
  const before = JSON.stringify(def);
  redactScenario(def);
  assert.equal(JSON.stringify(def), before);
});
