// Two workers behind one port, through PgBouncer in transaction mode: aggregated /metrics, a killed worker replaced,
// and a graceful SIGTERM.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { http, metricValue, startStack, waitFor, type Stack } from './harness.ts';
import { tickers } from '../../src/target/tools.ts';

let stack: Stack;
let base: string;
let token: string;
const [T1, T2] = tickers('small');

before(async () => {
  stack = await startStack({ services: { pgbouncer: true }, viaPgBouncer: true, targetEnv: { TARGET_WORKERS: '2', DB_POOL_MAX: '5' } });
  base = stack.target.baseUrl;
  token = await stack.token('load');
});
after(async () => {
  await stack?.stop();
});

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('the listening event names the primary and both workers', () => {
  const workers = stack.target.event.workers as number[];
  assert.equal(workers.length, 2);
  assert.equal(stack.target.event.pid, stack.target.pid);
  for (const pid of workers) assert.ok(isAlive(pid));
});

test('reads and writes work through PgBouncer in transaction mode', async () => {
  for (let i = 0; i < 3; i++) {
    assert.equal((await http(base, `/api/v1/companies/${T1}/metrics?period=annual`, { token })).status, 200);
    assert.equal((await http(base, `/api/v1/companies/${T2}/filings`, { token })).status, 200);
    assert.equal((await http(base, `/api/v1/metrics/leaderboard?metric=ebitda&year=202${3 + i}`, { token })).status, 200);
  }
  const created = await http(base, '/api/v1/reports', { method: 'POST', token, body: { ticker: T2, title: 'via bouncer', rating: 'hold', summary: 'ok' } });
  assert.equal(created.status, 201);
  const detail = await http(base, `/api/v1/companies/${T2}`, { token });
  assert.equal(detail.body.latestRating, 'hold');
  const ready = await http(base, '/health/ready');
  assert.equal(ready.status, 200);
  assert.match(stack.target.stderr(), /refused statement_timeout as a startup parameter/, 'the PgBouncer fallback is logged');
});

test('requests are spread over both workers and /metrics aggregates them', async () => {
  const before = metricValue((await http(base, '/metrics')).text, 'http_request_duration_seconds_count', 'route="/health/live"');
  const pids = new Set<number>();
  for (let i = 0; i < 40; i++) {
    const res = await http(base, '/health/live', { headers: { connection: 'close' } });
    pids.add(res.body.pid);
  }
  assert.equal(pids.size, 2, `served by ${[...pids].join(', ')}`);
  const text = (await http(base, '/metrics')).text;
  assert.equal(metricValue(text, 'http_request_duration_seconds_count', 'route="/health/live"') - before, 40);
  assert.equal(metricValue(text, 'db_pool_max'), 10, 'pool limits summed over 2 workers of 5');
  assert.ok(text.includes('\nprocess_resident_memory_bytes'));
  assert.ok(text.includes('\ncircuit_breaker_state 0'));
});

test('a killed worker is replaced by the primary, which logs it, and service continues', async () => {
  const [victim] = stack.target.event.workers as number[];
  process.kill(victim!, 'SIGKILL');
  // A scrape right after the crash answers at once (the dead worker is not waited for). The scrape uses a fresh
  // connection: a keep-alive connection that the dead worker owned dies with it, which is expected.
  const scrape = await http(base, '/metrics', { headers: { connection: 'close' }, timeoutMs: 5000 });
  assert.equal(scrape.status, 200, 'a scrape during the replacement still answers');
  assert.ok(scrape.ms < 2500, `scrape took ${scrape.ms} ms`);
  const replaced = await waitFor('the replacement worker', async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const res = await http(base, '/health/live', { headers: { connection: 'close' } });
      if (res.status === 200) pids.add(res.body.pid);
    }
    return pids.size === 2 && !pids.has(victim!) ? pids : undefined;
  }, 30_000, 300);
  assert.equal(replaced.size, 2);
  assert.match(stack.target.stderr(), /"event":"worker_replaced"/);
  assert.match(stack.target.stderr(), new RegExp(`"deadPid":${victim}`));
  assert.equal((await http(base, `/api/v1/companies/${T1}`, { token })).status, 200);
});

test('SIGTERM drains and exits 0 within 5 s, taking the workers with it', async () => {
  const workers = (await (async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 10; i++) pids.add((await http(base, '/health/live', { headers: { connection: 'close' } })).body.pid);
    return [...pids];
  })());
  const result = await stack.target.stop(10_000);
  assert.equal(result.code, 0);
  assert.ok(result.tookMs < 5000, `took ${result.tookMs} ms`);
  await waitFor('the workers to exit', async () => workers.every((pid) => !isAlive(pid)), 3000, 100);
});
