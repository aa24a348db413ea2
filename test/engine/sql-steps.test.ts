import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PostgresHandle } from '../../src/lab/postgres.ts';
import { classifySqlError } from '../../src/engine/sql-runner.ts';
import { decodeHistogram } from '../../src/metrics/histogram.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';
import { runEngine } from '../support/engine-run.ts';

let pgh: PostgresHandle;
let http: TestServer;
before(async () => {
  pgh = await startPostgres({ maxConnections: 12, unsafeNoFsync: true });
  http = await startJsonServer();
});
after(async () => {
  await pgh?.destroy();
  await http?.close();
});

test('pg errors map to error classes', () => {
  const table: Array<[{ code?: string; message?: string }, string]> = [
    [{ code: 'ECONNREFUSED' }, 'econnrefused'], [{ code: '53300', message: 'too many clients' }, 'other'],
    [{ code: '57014', message: 'canceling statement due to statement timeout' }, 'timeout'], [{ code: 'PERFGATE_TIMEOUT' }, 'timeout'],
    [{ message: 'Connection terminated due to connection timeout' }, 'timeout'], [{ code: 'ECONNRESET' }, 'econnreset'],
  ];
  for (const [err, cls] of table) assert.equal(classifySqlError(err), cls, JSON.stringify(err));
});

test('sql steps run on a connection per VU, and slow queries time out at their timeout', async () => {
  const run = await runEngine({
    name: 'sql', target: { baseUrl: http.url }, connections: { db: { url: pgh.url } },
    load: { executor: 'constant-vus', vus: 4, duration: '2s', gracefulStop: '1s' },
    journeys: [
      { name: 'fast', weight: 3, steps: [{ name: 'select', type: 'sql', connection: 'db', sql: 'select $1::int as x', params: [1], think: '50ms' }] },
      { name: 'slow', weight: 1, steps: [{ name: 'sleep', type: 'sql', connection: 'db', sql: 'select pg_sleep(0.5)', timeout: '200ms', think: '50ms' }] },
    ],
  });
  const select = run.reqs.filter((r) => r.name === 'select');
  const sleep = run.reqs.filter((r) => r.name === 'sleep');
  const n = (rs: typeof select, f: (r: (typeof select)[number]) => number) => rs.reduce((a, r) => a + f(r), 0);
  assert.ok(n(select, (r) => r.count - r.failed) > 20, `selects: ${JSON.stringify(run.reqs.map((r) => [r.name, r.count, r.failed, r.errors]))}`);
  assert.equal(select[0]!.method, 'SQL');
  assert.ok(n(sleep, (r) => r.errors.timeout ?? 0) > 0, 'slow queries timed out');
  for (const r of sleep) {
    const h = decodeHistogram(r.failHist);
    if (h.totalCount) assert.ok(h.maxValue <= 260_000, `timeouts recorded near 200 ms, max ${h.maxValue} us`);
  }
});

test('more VUs than the server has connections: the refused ones are failed sql steps', async () => {
  const run = await runEngine({
    name: 'storm', target: { baseUrl: http.url }, connections: { db: { url: pgh.url } },
    load: { executor: 'constant-vus', vus: 20, duration: '1s', gracefulStop: '1s' },
    journeys: [{ name: 'hold', steps: [{ name: 'hold', type: 'sql', connection: 'db', sql: 'select pg_sleep(0.05)', think: '20ms' }] }],
  });
  const ok = run.reqs.reduce((a, r) => a + r.count - r.failed, 0);
  const refused = run.reqs.reduce((a, r) => a + (r.errors.other ?? 0), 0);
  assert.ok(ok > 0 && refused > 0, `ok ${ok}, refused ${refused}`);
});

test('sql steps of VUs stopped at the end of gracefulRampDown are dropped, not failed, and the VUs start again cleanly', async () => {
  // Queries of 600 ms; at 700 ms the VUs ramp down, mid-query, are stopped 100 ms later, and ramp up again at 1 s.
  const run = await runEngine({
    name: 'ramp-down', target: { baseUrl: http.url }, connections: { db: { url: pgh.url } },
    load: { executor: 'ramping-vus', startVUs: 3, gracefulRampDown: '100ms', gracefulStop: '2s', stages: [
      { duration: '700ms', target: 3 }, { duration: '1ms', target: 0 }, { duration: '300ms', target: 0 }, { duration: '1ms', target: 3 }, { duration: '1s', target: 3 },
    ] },
    journeys: [{ name: 'hold', steps: [{ name: 'sleep', type: 'sql', connection: 'db', sql: 'select pg_sleep(0.6)' }] }],
  });
  const count = run.reqs.reduce((a, r) => a + r.count, 0);
  const failed = run.reqs.reduce((a, r) => a + r.failed, 0);
  assert.ok(count >= 6, `${count} sql steps recorded`);
  assert.equal(failed, 0, `no stopped query counts as failed: ${JSON.stringify(run.reqs.map((r) => r.errors))}`);
});
