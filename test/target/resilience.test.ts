// The target under trouble: rate-limit bursts, the upstream failing (breaker, stale quotes, one half-open probe),
// an exhausted pool, Redis hung and stopped, PostgreSQL restarted.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { http, metricValue, startStack, waitFor, type Stack } from './harness.ts';
import { TIERS } from '../../src/target/auth/clients.ts';
import { maxAllowed } from '../../src/target/rate-limit/bucket.ts';
import { RateLimiter } from '../../src/target/rate-limit/limiter.ts';
import { tickers } from '../../src/target/tools.ts';

const BREAKER_RESET_MS = 1500;
// Generous, so that a loaded test machine does not turn the half-open probe into a timeout.
const UPSTREAM_TIMEOUT_MS = 1000;
const ACQUIRE_TIMEOUT_MS = 300;
const STATEMENT_TIMEOUT_MS = 1500;
// Above the 150 ms default: on a heavily loaded test machine Redis itself can be starved of CPU for a while.
const REDIS_DEADLINE_MS = 400;
let stack: Stack;
let base: string;
let up: string;
const [T1, T2, T3, T4] = tickers('small');

before(async () => {
  stack = await startStack({
    targetEnv: {
      TARGET_WORKERS: '0', // the single-process mode (the other files cover the cluster)
      DB_POOL_MAX: '4',
      DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      BREAKER_RESET_MS: String(BREAKER_RESET_MS),
      UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      REDIS_COMMAND_TIMEOUT_MS: String(REDIS_DEADLINE_MS),
      BREAKER_VOLUME_THRESHOLD: '5',
    },
  });
  base = stack.target.baseUrl;
  up = stack.upstream.baseUrl;
});
after(async () => {
  await stack?.stop();
});

const control = async (body?: unknown, path = '/__control') =>
  (await http(up, path, body === undefined ? {} : { method: 'POST', body, token: stack.upstreamToken })).body;
const breakerState = async (): Promise<number> => metricValue((await http(base, '/metrics')).text, 'circuit_breaker_state');

test('two concurrent bursts on one client are held to capacity + rate x time, with 429 and Retry-After', async () => {
  const token = await stack.token('standard');
  const { capacity, refillPerS } = TIERS.standard;
  assert.equal((await http(base, `/api/v1/companies/${T1}`, { token: await stack.token('load') })).status, 200, 'warm-up');
  const m0 = (await http(base, '/metrics')).text;
  const before = metricValue(m0, 'rate_limited_total', 'tier="standard"');
  const degradedBefore = metricValue(m0, 'rate_limiter_degraded_total');
  const start = performance.now();
  const burst = () => Promise.all(Array.from({ length: 120 }, () => http(base, `/api/v1/companies/${T1}`, { token })));
  const results = (await Promise.all([burst(), burst()])).flat();
  const elapsedS = (performance.now() - start) / 1000;
  const m = (await http(base, '/metrics')).text;
  // Decisions Redis could not make in time were allowed by the fail-open policy; the bucket bounds all the others.
  const failedOpen = metricValue(m, 'rate_limiter_degraded_total') - degradedBefore;
  const accepted = results.filter((r) => r.status === 200).length;
  const refused = results.filter((r) => r.status === 429);
  const others = results.filter((r) => r.status !== 200 && r.status !== 429).map((r) => `${r.status} ${r.text}`);
  assert.deepEqual(others.slice(0, 3), [], 'only 200s and 429s');
  assert.ok(accepted >= capacity, `accepted ${accepted} < capacity ${capacity}`);
  assert.ok(
    accepted - failedOpen <= maxAllowed(capacity, refillPerS, elapsedS),
    `accepted ${accepted} (${failedOpen} failed open) in ${elapsedS.toFixed(2)} s`,
  );
  assert.ok(refused.length > 0);
  for (const r of refused) {
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.equal(r.body.error, 'rate_limited');
  }
  const afterCount = metricValue(m, 'rate_limited_total', 'tier="standard"');
  assert.equal(afterCount - before, refused.length);
  const other = await http(base, `/api/v1/companies/${T1}`, { token: await stack.token('standard') });
  assert.equal(other.status, 200, 'another client has its own bucket');
});

test('the breaker opens when the upstream fails, serves stale quotes, and answers 503 fast when nothing is cached', async () => {
  await control({}, '/__control/reset');
  const token = await stack.token('load');
  const fresh = await http(base, `/api/v1/market/${T1}/quote`, { token });
  assert.equal(fresh.body.stale, false);
  await control({ outage: true });
  for (let i = 0; i < 8; i++) {
    const res = await http(base, `/api/v1/market/${T1}/quote`, { token });
    assert.equal(res.status, 200);
    assert.equal(res.body.stale, true);
    assert.equal(res.body.price, fresh.body.price);
  }
  assert.equal(await breakerState(), 2, 'open');
  const seen = (await control()).requests.total;
  for (let i = 0; i < 5; i++) assert.equal((await http(base, `/api/v1/market/${T1}/quote`, { token })).body.stale, true);
  assert.equal((await control()).requests.total, seen, 'an open breaker does not call the upstream');
  const none = await http(base, `/api/v1/market/${T2}/quote`, { token });
  assert.equal(none.status, 503);
  assert.equal(none.body.error, 'upstream_unavailable');
  assert.ok(Number(none.headers.get('retry-after')) >= 1);
  assert.ok(none.ms < 500, `503 took ${none.ms} ms`);
});

test('after recovery the breaker lets exactly one half-open probe through, then closes', async () => {
  const token = await stack.token('load');
  await control({ outage: false, latencyMs: 300 }); // the probe stays in flight (under the timeout) while the others arrive
  await waitFor('half-open', async () => (await breakerState()) === 1, BREAKER_RESET_MS + 5000, 100);
  const seen = (await control()).requests.total;
  const results = await Promise.all(Array.from({ length: 5 }, () => http(base, `/api/v1/market/${T1}/quote`, { token })));
  assert.equal((await control()).requests.total - seen, 1, 'exactly one probe reached the upstream');
  assert.equal(results.filter((r) => r.body.stale === false).length, 1);
  assert.equal(results.filter((r) => r.body.stale === true).length, 4);
  assert.equal(await breakerState(), 0, 'closed');
  await control({ latencyMs: 0 });
  const after = await http(base, `/api/v1/market/${T1}/quote`, { token });
  assert.equal(after.body.stale, false);
  assert.equal((await control()).requests.total - seen, 2);
});

test('a hanging upstream is cut off at the timeout and its socket is closed', async () => {
  const token = await stack.token('load');
  await control({}, '/__control/reset');
  await control({ hang: true });
  const res = await http(base, `/api/v1/market/${T3}/quote`, { token });
  assert.equal(res.status, 503);
  assert.ok(res.ms >= UPSTREAM_TIMEOUT_MS - 50 && res.ms < UPSTREAM_TIMEOUT_MS + 1500, `took ${res.ms} ms`);
  assert.equal((await control()).requests.hung, 1);
  await waitFor('the hung socket to close', async () => (await control()).openHung === 0, 3000, 50);
  await control({}, '/__control/reset');
});

test('an exhausted pool answers 503 with Retry-After quickly, statement_timeout frees it, and it recovers', async () => {
  const token = await stack.token('load');
  // Open all 4 pool connections first: on a loaded machine a fresh connection can take longer than the 300 ms
  // acquire deadline (which also bounds connecting), and that would free a slot mid-test.
  await waitFor('a warm pool', async () => {
    await Promise.all(Array.from({ length: 8 }, () => http(base, `/api/v1/companies/${T4}/filings`, { token })));
    return metricValue((await http(base, '/metrics')).text, 'db_pool_total') === 4;
  }, 15_000, 10);
  const locker = new pg.Client({ connectionString: stack.services.databaseUrl });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE financial_metrics IN ACCESS EXCLUSIVE MODE');
    const blocked = Array.from({ length: 4 }, () => http(base, `/api/v1/companies/${T4}/metrics`, { token }));
    await waitFor('the pool to fill', async () => {
      const m = (await http(base, '/metrics')).text;
      return metricValue(m, 'db_pool_total') === 4 && metricValue(m, 'db_pool_idle') === 0;
    }, 5000, 50);
    const shed = await Promise.all(Array.from({ length: 6 }, () => http(base, `/api/v1/companies/${T4}/filings`, { token })));
    for (const r of shed) {
      assert.equal(r.status, 503);
      assert.equal(r.body.error, 'pool_exhausted');
      assert.equal(r.headers.get('retry-after'), '1');
      assert.ok(r.ms < ACQUIRE_TIMEOUT_MS + 1000, `503 took ${r.ms} ms`);
    }
    const held = await Promise.all(blocked);
    for (const r of held) {
      assert.equal(r.status, 503, 'statement_timeout cancels the blocked queries');
      assert.equal(r.body.error, 'db_timeout');
      assert.ok(r.ms < STATEMENT_TIMEOUT_MS + 1500, `took ${r.ms} ms`);
    }
  } finally {
    await locker.query('ROLLBACK').catch(() => undefined);
    await locker.end();
  }
  for (let i = 0; i < 8; i++) {
    const r = await http(base, `/api/v1/companies/${T4}/metrics`, { token });
    assert.equal(r.status, 200, r.text);
  }
});

test('with Redis hung, requests still succeed within the bounded command timeout (fail open)', async () => {
  const token = await stack.token('standard');
  const before = metricValue((await http(base, '/metrics')).text, 'rate_limiter_degraded_total');
  process.kill(stack.services.redis.pid, 'SIGSTOP');
  try {
    for (let i = 0; i < 6; i++) {
      const res = await http(base, `/api/v1/companies/${T2}`, { token });
      assert.equal(res.status, 200);
      assert.ok(res.ms < 2 * REDIS_DEADLINE_MS + 800, `took ${res.ms} ms with Redis hung`);
    }
  } finally {
    process.kill(stack.services.redis.pid, 'SIGCONT');
  }
  const after = metricValue((await http(base, '/metrics')).text, 'rate_limiter_degraded_total');
  assert.ok(after - before >= 6, `degraded decisions: ${after - before}`);
});

test('with Redis stopped, the API keeps answering fast, readiness says so, and it heals when Redis returns', async () => {
  const token = await stack.token('standard');
  await stack.services.redis.stop();
  try {
    for (let i = 0; i < 10; i++) {
      const res = await http(base, `/api/v1/companies/${T3}`, { token });
      assert.equal(res.status, 200);
      assert.ok(res.ms < 500, `took ${res.ms} ms with Redis down`);
    }
    const ready = await http(base, '/health/ready');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.checks.postgres, 'ok');
    assert.equal(ready.body.checks.redis, 'failed');
    // component names and ok/failed only: no driver error text (ECONNREFUSED, host:port) reaches the caller
    assert.deepEqual(Object.keys(ready.body).sort(), ['checks', 'pid', 'status']);
    assert.doesNotMatch(ready.text, /ECONN|refused|127\.0\.0\.1|timeout|Error/i);
  } finally {
    await stack.services.redis.start();
  }
  await waitFor('readiness after Redis returns', async () => (await http(base, '/health/ready')).status === 200, 10_000);
});

test('the fail-closed policy refuses when Redis is unreachable, without waiting', async () => {
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const redis = new Redis({ port, host: '127.0.0.1', enableOfflineQueue: false, commandTimeout: 150, maxRetriesPerRequest: 0, lazyConnect: false, retryStrategy: () => 1000 });
  redis.on('error', () => undefined);
  try {
    for (const [policy, allowed] of [['closed', false], ['open', true]] as const) {
      const start = performance.now();
      const d = await new RateLimiter(redis, policy, () => undefined, 150).take('x', TIERS.standard);
      assert.equal(d.allowed, allowed, policy);
      assert.equal(d.degraded, true);
      assert.ok(performance.now() - start < 300);
    }
  } finally {
    redis.disconnect();
  }
});

test('the target survives a PostgreSQL restart: only 200s and quick 503s meanwhile, then 200s again', async () => {
  const token = await stack.token('load');
  const statuses = new Set<number>();
  let stop = false;
  const load = (async () => {
    for (let i = 0; i < 400 && !stop; i++) {
      const res = await http(base, `/api/v1/companies/${T1}/filings`, { token }).catch(() => undefined);
      if (res) statuses.add(res.status);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  await stack.services.postgres.restart();
  await waitFor('a 200 after the restart', async () => (await http(base, `/api/v1/companies/${T1}/metrics`, { token })).status === 200, 15_000);
  stop = true;
  await load;
  for (const s of statuses) assert.ok(s === 200 || s === 503, `unexpected status ${s}`);
  assert.equal(stack.target.proc.exitCode, null, 'the target is still running');
  for (let i = 0; i < 5; i++) assert.equal((await http(base, `/api/v1/companies/${T2}/filings`, { token })).status, 200);
});
