import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { retryDelayMs, startSetupRefresh } from '../../src/run/setup-refresh.ts';
import { runScenario } from '../../src/run/run-scenario.ts';
import type { ScenarioDefinition } from '../../src/scenario/types.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import { ConfigError } from '../../src/errors.ts';

test('a failed refresh is retried after a tenth of the period, never sooner than a second', () => {
  for (const [everyMs, expected] of [
    [600_000, 60_000],
    [60_000, 6_000],
    [5_000, 1_000],
    [100, 1_000],
  ] as const) assert.equal(retryDelayMs(everyMs), expected, `every ${everyMs} ms`);
});

test('the refresher applies each refresh, reports a failure and keeps going, and stops (fake timers)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const settle = () => new Promise((r) => setImmediate(r)); // the refresh promise and its handlers
  const applied: unknown[] = [];
  const errors: string[] = [];
  let calls = 0;
  const r = startSetupRefresh({
    everyMs: 40,
    refresh: async () => {
      calls++;
      if (calls === 2) throw new Error('token endpoint answered 500');
      return { token: `t${calls}` };
    },
    apply: (c) => applied.push(c.token),
    onError: (e) => errors.push(e.message),
  });
  t.mock.timers.tick(39);
  await settle();
  assert.deepEqual(applied, [], 'nothing before the period');
  t.mock.timers.tick(1);
  await settle();
  assert.deepEqual(applied, ['t1']);
  t.mock.timers.tick(40);
  await settle();
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /refreshing setup failed \(token endpoint answered 500\); keeping the previous values, retrying in 1 s/);
  t.mock.timers.tick(999);
  await settle();
  assert.deepEqual(applied, ['t1'], 'the retry waits a second, not the period');
  t.mock.timers.tick(1);
  await settle();
  assert.deepEqual(applied, ['t1', 't3'], 'retried after the failure');
  r.stop();
  assert.equal(r.refreshes, 2);
  t.mock.timers.tick(1_000);
  await settle();
  assert.deepEqual(applied, ['t1', 't3'], 'nothing applied after stop');
});

test('setup.refreshEvery must be a positive duration', () => {
  const base = { name: 's', target: { baseUrl: 'http://127.0.0.1:1' }, load: { executor: 'constant-vus', vus: 1, duration: '1s' }, journeys: [{ name: 'j', steps: [{ name: 'a', path: '/' }] }] };
  for (const bad of ['0s', 'soon', 5]) {
    assert.throws(
      () => validateScenario({ ...base, setup: { steps: [{ name: 't', path: '/t' }], refreshEvery: bad } }),
      (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.path === 'setup.refreshEvery'),
      `refreshEvery ${JSON.stringify(bad)}`,
    );
  }
  assert.equal(validateScenario({ ...base, setup: { steps: [{ name: 't', path: '/t' }], refreshEvery: '10m' } }).setup?.refreshEvery, '10m');
});

// A token server whose every token is new: tok-1, tok-2, ...; /echo records the token each request carried.
let server: Server;
let url: string;
let minted = 0;
const seen: string[] = [];
let reports: string;
before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/token') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: `tok-${++minted}` }));
      return;
    }
    seen.push(String(req.headers.authorization));
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  reports = mkdtempSync(join(tmpdir(), 'perfgate-refresh-'));
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(reports, { recursive: true, force: true });
});

for (const workers of [1, 2]) {
  test(`with refreshEvery, VUs carry each refreshed token during the load (${workers} worker${workers > 1 ? 's' : ''})`, async () => {
    minted = 0;
    seen.length = 0;
    const def: ScenarioDefinition = {
      name: 'refresh',
      target: { baseUrl: url },
      load: { executor: 'constant-vus', vus: 2, duration: '2s' },
      setup: { steps: [{ name: 'token', method: 'POST', path: '/token', capture: { token: '$.access_token' } }], refreshEvery: '400ms' },
      journeys: [{ name: 'j', steps: [{ name: 'echo', path: '/echo', headers: { authorization: 'Bearer {{token}}' }, think: '20ms' }] }],
    };
    const outcome = await runScenario({ scenario: def, reportsDir: reports, workers, saturation: { maxLoopLagP99Ms: 10_000, maxDroppedShare: 1 } }).promise;
    assert.equal(outcome.exitCode, 0);
    const tokens = [...new Set(seen)];
    assert.equal(tokens[0], 'Bearer tok-1', 'the load starts with the first setup token');
    assert.ok(tokens.length >= 3, `tokens seen: ${tokens.join(', ')}`);
    const order = seen.map((s) => Number(s.replace('Bearer tok-', '')));
    assert.ok(order.every((n, i) => i < workers * 4 || n >= order[i - workers * 4]! - 1), 'requests move on to newer tokens');
    assert.ok(minted <= 1 + Math.ceil(2_000 / 400) + 1, `${minted} tokens minted for a 2 s load refreshed every 400 ms`);
  });
}
