// The login guard of POST /auth/token on real Redis and PostgreSQL: per client id, per source address, a backoff
// after repeated failures, all refused with 429 + Retry-After before the database is asked; and its pure parts.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, fetch as undiciFetch } from 'undici';
import { http, metricValue, startStack, type Stack } from './harness.ts';
import { Redis } from 'ioredis';
import { FAILURES_BEFORE_BACKOFF, LOGIN_LIMITS, LoginGuard, MAX_BACKOFF_S, backoffSeconds } from '../../src/target/rate-limit/login-guard.ts';
import { Tarpit } from '../../src/target/rate-limit/tarpit.ts';
import { Semaphore } from '../../src/target/routes/auth.ts';
import { parseTargetConfig } from '../../src/target/config.ts';

let stack: Stack;
let base: string;

before(async () => {
  // A roomy Redis deadline: these tests are about the guard's decisions, not about Redis answering within 150 ms on a
  // busy machine (a missed deadline refuses the login by the fail-closed policy, which test/target/resilience covers).
  // The service-wide bucket is roomy here too, so one test's logins do not drain it for the next; its own test below
  // runs on a target with the default bucket.
  stack = await startStack({ targetEnv: { REDIS_COMMAND_TIMEOUT_MS: '3000', LOGIN_GLOBAL_BURST: '1000', LOGIN_GLOBAL_PER_S: '100' } });
  base = stack.target.baseUrl;
});
after(async () => {
  await stack?.stop();
});

/** One login from a given loopback source address. */
async function login(clientId: string, clientSecret: string, localAddress = '127.0.0.1') {
  // undici binds the source address with the Agent's own `localAddress` (inside `connect` it is ignored).
  const dispatcher = new Agent({ localAddress });
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

test('a client that logged in from an address still logs in there after a flood blocked it everywhere else', async () => {
  const home = '127.0.2.1';
  assert.equal((await login('perfgate-load', 'perfgate-load-secret', home)).status, 200, 'the first login trusts the pair');
  // The attacker knows the client id: wrong secrets from other addresses drain its bucket and start its backoff.
  // Bounded: the client bucket refills 0.2/s, so five failures (the backoff's threshold) come within a dozen tries.
  const attack: string[] = [];
  for (let i = 0; i < 12 && attack.at(-1) !== 'login_backoff'; i++) {
    const a = await login('perfgate-load', `wrong-${i}`, `127.0.2.${10 + i}`);
    attack.push(a.status === 429 ? (a.body.error ?? '429') : String(a.status));
  }
  assert.equal(attack.at(-1), 'login_backoff', `the attack ends with the client blocked: ${attack.join(',')}`);
  const elsewhere = await login('perfgate-load', 'perfgate-load-secret', '127.0.2.99');
  assert.equal(elsewhere.status, 429, 'a new address is refused while the client is blocked');
  assert.equal((await login('perfgate-load', 'perfgate-load-secret', home)).status, 200, 'the trusted pair is not locked out');
});

test("a trusted pair's own repeated failures end its trust, and then the client's backoff applies there too", async () => {
  const redis = new Redis(stack.services.redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    const roomy = { client: { capacity: 100, refillPerS: 10 }, address: { capacity: 100, refillPerS: 10 }, global: { capacity: 100, refillPerS: 10 } };
    const guard = new LoginGuard(redis, 'closed', 2000, roomy);
    const [id, home] = [`pair-${process.pid}`, '127.0.3.1'];
    assert.equal((await guard.check(id, home)).trusted, false);
    await guard.succeeded(id, home);
    for (let i = 0; i < FAILURES_BEFORE_BACKOFF; i++) {
      const d = await guard.check(id, home);
      assert.ok(d.allowed && d.trusted, `try ${i}: ${JSON.stringify(d)}`);
      assert.equal(await guard.failed(id, home, true), 0, 'a trusted pair never blocks the client');
    }
    assert.equal((await guard.check(id, home)).trusted, false, 'the pair lost its trust');
    let backoffS = 0;
    for (let i = 0; i < FAILURES_BEFORE_BACKOFF; i++) backoffS = await guard.failed(id, home, false);
    assert.equal(backoffS, 1);
    assert.deepEqual(await guard.check(id, home).then((d) => [d.allowed, d.reason]), [false, 'block']);
  } finally {
    redis.disconnect();
  }
});

test('a refused login is answered only after the tarpit delay, so a closed-loop flood is slowed to one try per second per connection', async () => {
  const n = LOGIN_LIMITS.address.capacity + 5;
  const timed = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const t0 = performance.now();
    const a = await login(`tar-${i}`, 'x', '127.0.4.1');
    return { status: a.status, heldMs: performance.now() - t0 };
  }));
  const refused = timed.filter((a) => a.status === 429);
  assert.ok(refused.length >= 5, timed.map((a) => a.status).join(','));
  // Every refusal is held 1 s, whatever its Retry-After.
  assert.ok(refused.every((a) => a.heldMs >= 950), `held ms: ${refused.map((a) => a.heldMs.toFixed(0)).join(',')}`);
});

test('the service-wide bucket bounds untrusted logins across addresses and clients, and a trusted pair skips it', async () => {
  const target = await stack.startTarget({ REDIS_COMMAND_TIMEOUT_MS: '3000', LOGIN_GLOBAL_BURST: '3', LOGIN_GLOBAL_PER_S: '1' });
  const viaTarget = async (clientId: string, secret: string, localAddress: string) => {
    const dispatcher = new Agent({ localAddress });
    try {
      const res = await undiciFetch(`${target.baseUrl}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId, clientSecret: secret }), dispatcher });
      await res.arrayBuffer();
      return res.status;
    } finally {
      await dispatcher.close();
    }
  };
  const home = '127.0.5.1';
  assert.equal(await viaTarget('demo-client', 'demo-secret', home), 200, 'the real client logs in first (a global token) and is trusted');
  // Fresh ids from fresh addresses, at once: no client or address bucket is empty, so only the service's refuses.
  const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => viaTarget(`glob-${i}`, 'x', `127.0.5.${10 + i}`)));
  assert.ok(burst.filter((s) => s === 429).length >= 4, `the service bucket (3, 1/s) refused most of a burst of 8: ${burst.join(',')}`);
  assert.equal(await viaTarget('demo-client', 'demo-secret', home), 200, 'the trusted pair is not refused by the empty service bucket');
});

describe('login guard pure parts', () => {
  test('the tarpit holds at most maxHeld at once, for its hold time by default and never longer, and releaseAll frees them', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const pit = new Tarpit(1000, 2);
    const done: string[] = [];
    const a = pit.hold(5000).then(() => done.push('a'));
    const b = pit.hold(300).then(() => done.push('b'));
    await pit.hold(5000).then(() => done.push('c (over the bound: at once)'));
    assert.equal(pit.size, 2);
    t.mock.timers.tick(300);
    await b;
    assert.deepEqual(done, ['c (over the bound: at once)', 'b']);
    t.mock.timers.tick(700);
    await a;
    assert.equal(pit.size, 0, 'a 5 s request was held 1 s, the maximum');
    const byDefault = pit.hold().then(() => done.push('default'));
    t.mock.timers.tick(999);
    await Promise.resolve();
    assert.ok(!done.includes('default'), 'held for the whole hold time');
    t.mock.timers.tick(1);
    await byDefault;
    const held = pit.hold(1000);
    pit.releaseAll();
    await held;
    assert.equal(pit.size, 0);
    assert.equal(await pit.hold(0), undefined, 'no delay: at once');
  });


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

  test('a priority caller (a trusted login) is queued first and never turned away by a full queue', async () => {
    const gate = new Semaphore(1, 1);
    const order: string[] = [];
    const releases: Array<() => void> = [];
    const job = (name: string, priority = false) => gate.run(async () => {
      order.push(name);
      await new Promise<void>((r) => releases.push(r));
      return name;
    }, priority);
    const running = job('first');
    const queued = job('queued');
    assert.equal(await job('turned away'), undefined, 'the queue of one is full');
    const trusted = job('trusted', true);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      releases.shift()?.();
    }
    assert.deepEqual(await Promise.all([running, trusted, queued]), ['first', 'trusted', 'queued']);
    assert.deepEqual(order, ['first', 'trusted', 'queued']);
  });

  test('BCRYPT_CONCURRENCY must stay below UV_THREADPOOL_SIZE', () => {
    assert.throws(() => parseTargetConfig({ UV_THREADPOOL_SIZE: '4', BCRYPT_CONCURRENCY: '4' }), /BCRYPT_CONCURRENCY: must be below UV_THREADPOOL_SIZE/);
    assert.equal(parseTargetConfig({ UV_THREADPOOL_SIZE: '8', BCRYPT_CONCURRENCY: '3' }).bcryptConcurrency, 3);
  });
});
