// The login guard of POST /auth/token on real Redis and PostgreSQL: per client id, per source address, a backoff
// after repeated failures, all refused with 429 + Retry-After before the database is asked; and its pure parts.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, fetch as undiciFetch } from 'undici';
import { http, metricValue, startStack, type Stack } from './harness.ts';
import { FAILURES_BEFORE_BACKOFF, LOGIN_LIMITS, MAX_BACKOFF_S, backoffSeconds } from '../../src/target/rate-limit/login-guard.ts';
import { Semaphore } from '../../src/target/routes/auth.ts';
import { parseTargetConfig } from '../../src/target/config.ts';

let stack: Stack;
let base: string;

before(async () => {
  stack = await startStack();
  base = stack.target.baseUrl;
});
after(async () => {
  await stack?.stop();
});

/** One login from a given loopback source address. */
async function login(clientId: string, clientSecret: string, localAddress = '127.0.0.1') {
  const dispatcher = new Agent({ connect: { localAddress } });
  try {
    const res = await undiciFetch(`${base}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, clientSecret }),
      dispatcher,
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error?: string } };
  } finally {
    await dispatcher.close();
  }
}

/** How many client lookups the target has run (db_query_duration_seconds_count{query="client_lookup"}). */
async function lookups(): Promise<number> {
  const res = await http(base, '/metrics');
  return metricValue(res.text, 'db_query_duration_seconds_count', 'query="client_lookup"');
}

test('repeated wrong secrets for one client are refused with 429 + Retry-After and then a backoff, without a database lookup', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < FAILURES_BEFORE_BACKOFF; i++) statuses.push((await login('demo-client', `wrong-${i}`, '127.0.0.10')).status);
  assert.deepEqual(statuses, Array(FAILURES_BEFORE_BACKOFF).fill(401));
  const before = await lookups();
  const refused = await login('demo-client', 'wrong-again', '127.0.0.11');
  assert.equal(refused.status, 429);
  assert.equal(refused.body.error, 'login_backoff');
  assert.ok(Number(refused.retryAfter) >= 1, `Retry-After ${refused.retryAfter}`);
  // The correct secret is refused too while the backoff lasts: the guard runs before the secret is checked.
  assert.equal((await login('demo-client', 'demo-secret', '127.0.0.12')).status, 429);
  assert.equal(await lookups(), before, 'refused logins never reached the database');
});

test('one source address trying many client ids at once gets no more than its bucket through to the database', async () => {
  const before = await lookups();
  const n = LOGIN_LIMITS.address.capacity + 5;
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => login(`ghost-${i}`, 'x', '127.0.0.20')));
  const refused = answers.filter((a) => a.status === 429);
  assert.ok(refused.length >= 5, answers.map((a) => a.status).join(','));
  assert.ok(refused.every((a) => Number(a.retryAfter) >= 1));
  assert.ok((await lookups()) - before <= LOGIN_LIMITS.address.capacity, 'at most the bucket reached the database');
  // Another address is unaffected, and the real client still logs in.
  assert.equal((await login('perfgate-load', 'perfgate-load-secret', '127.0.0.21')).status, 200);
});

test('one client id tried from many addresses is refused once its bucket is empty', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < LOGIN_LIMITS.client.capacity + 2; i++) statuses.push((await login('ghost-many', 'x', `127.0.1.${i + 1}`)).status);
  assert.ok(statuses.slice(LOGIN_LIMITS.client.capacity).every((s) => s === 429), statuses.join(','));
});

describe('login guard pure parts', () => {
  test('backoff doubles from the threshold and is capped', () => {
    const rows: Array<[number, number]> = [[0, 0], [FAILURES_BEFORE_BACKOFF - 1, 0], [FAILURES_BEFORE_BACKOFF, 1], [FAILURES_BEFORE_BACKOFF + 3, 8], [FAILURES_BEFORE_BACKOFF + 30, MAX_BACKOFF_S]];
    for (const [failures, want] of rows) assert.equal(backoffSeconds(failures), want, `${failures} failures`);
  });

  test('the semaphore runs at most `limit` at once and turns away callers beyond the queue', async () => {
    const gate = new Semaphore(2, 1);
    let active = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const job = () => gate.run(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise<void>((r) => releases.push(r));
      active--;
      return 'done';
    });
    const runs = [job(), job(), job()];
    assert.equal(await job(), undefined, 'the fourth caller is turned away at once');
    while (releases.length) releases.shift()!();
    await new Promise((r) => setImmediate(r));
    while (releases.length) releases.shift()!();
    assert.deepEqual(await Promise.all(runs), ['done', 'done', 'done']);
    assert.equal(peak, 2);
  });

  test('BCRYPT_CONCURRENCY must stay below UV_THREADPOOL_SIZE', () => {
    assert.throws(() => parseTargetConfig({ UV_THREADPOOL_SIZE: '4', BCRYPT_CONCURRENCY: '4' }), /BCRYPT_CONCURRENCY: must be below UV_THREADPOOL_SIZE/);
    assert.equal(parseTargetConfig({ UV_THREADPOOL_SIZE: '8', BCRYPT_CONCURRENCY: '3' }).bcryptConcurrency, 3);
  });
});
