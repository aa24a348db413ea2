import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitUntil } from '../support/wait.ts';
import pg from 'pg';
import { startServices, type Services } from '../support/services.ts';
import { createPgBouncerCollector, PgBouncerDeriver } from '../../src/collectors/pgbouncer.ts';
import type { CollectorSample } from '../../src/collectors/types.ts';

let services: Services;

before(async () => {
  services = await startServices({ pgbouncer: true, pgbouncerOptions: { poolSize: 5 } });
});

after(async () => {
  await services?.stop();
});

const total = (samples: CollectorSample[], metric: string): number | null | undefined =>
  samples.find((s) => s.metric === metric && s.labels === undefined)?.value;

test('pure: pools are summed into a total (maxwait as the max) and the admin pseudo-database is skipped', () => {
  const d = new PgBouncerDeriver();
  const pool = (database: string, user: string, n: number, maxwait: number, us: number) => ({
    database, user, cl_active: n, cl_waiting: n * 2, sv_active: n, sv_idle: 1, maxwait, maxwait_us: us,
  });
  const stats = (database: string, xacts: number, waitUs: number) => ({ database, avg_xact_count: xacts, avg_wait_time: waitUs });
  const first = d.derive([pool('app', 'u', 2, 0, 250_000), pool('other', 'u', 3, 1, 500_000), pool('pgbouncer', 'pgbouncer', 9, 9, 0)], []);
  assert.equal(total(first, 'pgbouncer_cl_active'), 5);
  assert.equal(total(first, 'pgbouncer_cl_waiting'), 10);
  assert.equal(total(first, 'pgbouncer_maxwait'), 1500);
  assert.equal(first.find((s) => s.metric === 'pgbouncer_maxwait' && s.labels?.database === 'app')?.value, 250);
  assert.equal(first.some((s) => s.labels?.database === 'pgbouncer'), false);
  assert.equal(total(first, 'pgbouncer_avg_wait'), undefined, 'no SHOW STATS rows yet');
  // 30 xacts/s waiting 50 ms and 10 xacts/s waiting 10 ms: (30 * 50 + 10 * 10) / 40 = 40 ms
  const second = d.derive([], [stats('app', 30, 50_000), stats('other', 10, 10_000), stats('pgbouncer', 1, 9e9)]);
  assert.equal(total(second, 'pgbouncer_avg_wait'), 40);
  assert.equal(second.find((s) => s.metric === 'pgbouncer_avg_wait' && s.labels?.database === 'app')?.value, 50);
});

test('200 clients on a pool of 5: clients wait, at most 5 server connections are active, and waits are measured', async () => {
  const c = createPgBouncerCollector({ url: services.pgbouncerAdminUrl as string });
  const clients: pg.Client[] = [];
  try {
    const idle = await c.sample(AbortSignal.timeout(2000), 0);
    assert.equal(total(idle, 'pgbouncer_cl_waiting'), 0);
    const connects: Array<Promise<unknown>> = [];
    for (let i = 0; i < 200; i++) {
      const client = new pg.Client({ connectionString: services.pgbouncerUrl });
      client.on('error', () => undefined);
      clients.push(client);
      connects.push(client.connect());
    }
    await Promise.all(connects);
    const queries = clients.map((client) => client.query('SELECT pg_sleep(0.1)').catch(() => undefined));
    // The queue builds as the 200 queries meet the 5 server connections: sample until the oldest waiter is 100 ms in.
    const busy = await waitUntil('clients waiting 100 ms or more', async () => {
      const s = await c.sample(AbortSignal.timeout(2000), 1000);
      return (total(s, 'pgbouncer_cl_waiting') as number) > 0 && (total(s, 'pgbouncer_maxwait') as number) >= 100 ? s : undefined;
    }, { timeoutMs: 3000 });
    const waiting = total(busy, 'pgbouncer_cl_waiting') as number;
    const svActive = total(busy, 'pgbouncer_sv_active') as number;
    assert.ok(waiting > 0, `cl_waiting ${waiting}`);
    assert.ok(svActive <= 5 && svActive > 0, `sv_active ${svActive}`);
    assert.ok((total(busy, 'pgbouncer_cl_active') as number) + waiting >= 150);
    assert.ok((total(busy, 'pgbouncer_maxwait') as number) >= 100, `maxwait ${total(busy, 'pgbouncer_maxwait')}`);
    const perPool = busy.find((s) => s.metric === 'pgbouncer_cl_waiting' && s.labels?.database === 'perfgate');
    assert.ok(perPool && (perPool.value as number) > 0, 'the app pool is labelled by database and user');
    await Promise.all(queries);
    // avg_wait is PgBouncer's average over its stats period (10 s in the lab): poll until it reflects the burst.
    let after = await c.sample(AbortSignal.timeout(2000), 5000);
    for (let i = 0; i < 24 && !((total(after, 'pgbouncer_avg_wait') as number) > 10); i++) {
      await sleep(500);
      after = await c.sample(AbortSignal.timeout(2000), 5000 + i * 500);
    }
    assert.ok((total(after, 'pgbouncer_avg_wait') as number) > 10, `avg_wait ${total(after, 'pgbouncer_avg_wait')}`);
    assert.equal(total(after, 'pgbouncer_cl_waiting'), 0);
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await c.close();
  }
});

test('a wrong admin password is a clear error without the password', async () => {
  const u = new URL(services.pgbouncerAdminUrl as string);
  u.password = 'wrong-password-123';
  const c = createPgBouncerCollector({ url: u.toString() });
  try {
    await assert.rejects(c.sample(AbortSignal.timeout(2000), 0), (err: Error) => /^pgbouncer postgres:\/\/perfgate:\*\*\*@/.test(err.message) && !err.message.includes('wrong-password-123'));
  } finally {
    await c.close();
  }
});
