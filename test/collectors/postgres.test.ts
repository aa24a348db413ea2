import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startPostgres, type PostgresHandle } from '../support/services.ts';
import { createPostgresCollector } from '../../src/collectors/postgres.ts';
import { normaliseQuery, topStatements } from '../../src/collectors/pg-statements.ts';
import { createSampler } from '../../src/collectors/sampler.ts';
import type { Collector, CollectorSample } from '../../src/collectors/types.ts';
import type { SampleRecord } from '../../src/results/format.ts';
import { waitUntil } from '../support/wait.ts';

let postgres: PostgresHandle;
const clients: pg.Client[] = [];

let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perfgate-pg-test-'));
  chmodSync(dir, 0o711); // the service user must reach its data folder
  postgres = await startPostgres({ dataDir: join(dir, 'data'), logFile: join(dir, 'pg.log'), unsafeNoFsync: true, maxConnections: 50 });
  const c = await client();
  await c.query('CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, payload text)');
  await c.query("INSERT INTO items SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g ON CONFLICT DO NOTHING");
});

after(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await postgres?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: postgres.databaseUrl });
  c.on('error', () => undefined);
  await c.connect();
  clients.push(c);
  return c;
}

const find = (samples: CollectorSample[], metric: string, state?: string): CollectorSample | undefined =>
  samples.find((s) => s.metric === metric && (state === undefined || s.labels?.state === state));
const sig = (): AbortSignal => AbortSignal.timeout(2000);

test('pure: top statements are the largest total-time deltas, reset statements count whole', () => {
  const row = (key: string, query: string, calls: number, total: number) => [key, { key, query, calls, total_ms: total }] as const;
  const start = new Map([row('1:1', 'SELECT 1', 10, 100), row('1:2', 'SELECT 2', 5, 50), row('1:3', 'SELECT 3', 100, 1000)]);
  const end = new Map([row('1:1', 'SELECT 1', 20, 300), row('1:2', 'SELECT 2', 5, 50), row('1:3', 'SELECT 3', 2, 30), row('1:4', 'SELECT\n   4', 1, 150)]);
  assert.deepEqual(topStatements(start, end, 2), [
    { query: 'SELECT 1', calls: 10, totalMs: 200, meanMs: 20 },
    { query: 'SELECT 4', calls: 1, totalMs: 150, meanMs: 150 },
  ]);
  assert.equal(normaliseQuery('x'.repeat(300)).length, 200);
});

test('connections by state, lock waits and utilisation follow real sessions', async () => {
  const c = createPostgresCollector({ url: postgres.databaseUrl });
  const holder = await client();
  const waiter = await client();
  const idleInTx = await client();
  const sleeper = await client();
  try {
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
    const blocked = waiter.query('SELECT count(*) FROM items').catch(() => undefined);
    await idleInTx.query('BEGIN');
    await idleInTx.query('SELECT 1');
    const sleeping = sleeper.query('SELECT pg_sleep(1.5)');
    const probe = await client();
    await waitUntil('the sleeper running and the waiter blocked', async () => {
      const r = await probe.query("SELECT count(*) FILTER (WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active') AS sleeping, count(*) FILTER (WHERE wait_event_type = 'Lock') AS blocked FROM pg_stat_activity");
      return Number(r.rows[0].sleeping) >= 1 && Number(r.rows[0].blocked) >= 1;
    });
    const s = await c.sample(sig(), 0);
    assert.ok((find(s, 'pg_connections', 'active')?.value as number) >= 2, 'the sleeper and the waiter are active');
    assert.ok((find(s, 'pg_connections', 'idle in transaction')?.value as number) >= 2, 'the lock holder and idleInTx');
    assert.ok((find(s, 'pg_lock_waiting')?.value as number) >= 1);
    const util = find(s, 'pg_connection_utilization')?.value as number;
    assert.ok(util >= 5 / 50 && util < 0.5, String(util));
    await probe.end();
    clients.splice(clients.indexOf(probe), 1);
    await holder.query('COMMIT');
    await idleInTx.query('COMMIT');
    await blocked;
    await sleeping;
  } finally {
    await c.close();
  }
});

test('commits, rollbacks, buffer cache hits, temp files and deadlocks are per-interval deltas', async () => {
  const c = createPostgresCollector({ url: postgres.databaseUrl, statementTimeoutMs: 1500 });
  try {
    await c.sample(sig(), 0);
    const probe = await client();
    const dbStats = async () => (await probe.query('SELECT xact_commit::int AS commits, deadlocks::int AS deadlocks FROM pg_stat_database WHERE datname = current_database()')).rows[0] as { commits: number; deadlocks: number };
    const before = await dbStats();
    const w = new pg.Client({ connectionString: postgres.databaseUrl });
    await w.connect();
    for (let i = 0; i < 100; i++) await w.query('SELECT payload FROM items WHERE id = $1', [i + 1]);
    for (let i = 0; i < 20; i++) {
      await w.query('BEGIN');
      await w.query('ROLLBACK');
    }
    await w.query("SET work_mem = '64kB'");
    await w.query('SELECT g FROM generate_series(1, 200000) g ORDER BY g DESC LIMIT 1');
    // A deadlock: two sessions lock two rows in opposite orders.
    const a = await client();
    const b = await client();
    await a.query('BEGIN');
    await b.query('BEGIN');
    await a.query('UPDATE items SET payload = payload WHERE id = 1');
    await b.query('UPDATE items SET payload = payload WHERE id = 2');
    const results = await Promise.allSettled([
      a.query('UPDATE items SET payload = payload WHERE id = 2'),
      b.query('UPDATE items SET payload = payload WHERE id = 1'),
    ]);
    assert.equal(results.filter((r) => r.status === 'rejected').length, 1, 'one side is the deadlock victim');
    await a.query('ROLLBACK');
    await b.query('ROLLBACK');
    await w.end(); // a backend flushes its statistics when it exits
    await waitUntil('the sessions\' statistics in pg_stat_database', async () => {
      const now = await dbStats();
      return now.commits >= before.commits + 100 && now.deadlocks >= before.deadlocks + 1;
    }, { everyMs: 100 });
    const s = await c.sample(sig(), 3000);
    const commits = find(s, 'pg_commits')?.value as number;
    assert.ok(commits >= 100 / 3, `commits/s ${commits}`);
    assert.ok((find(s, 'pg_rollbacks')?.value as number) >= 20 / 3);
    const hit = find(s, 'pg_cache_hit_ratio');
    assert.ok((hit?.den as number) > 0 && (hit?.value as number) > 0.5 && hit?.value === (hit?.num as number) / (hit?.den as number));
    assert.ok((find(s, 'pg_temp_files')?.value as number) >= 1, 'the sort spilled to disk');
    assert.equal(find(s, 'pg_deadlocks')?.value, 1);
  } finally {
    await c.close();
  }
});

test('at stop, the run\'s top statements come from pg_stat_statements, without the collector\'s own', async (t) => {
  if (!postgres.pgStatStatements) return t.skip('pg_stat_statements is not available');
  const out: SampleRecord[] = [];
  const s = createSampler({ collectors: [createPostgresCollector({ url: postgres.databaseUrl })], intervalMs: 300, clock: () => 0, write: (r) => out.push(r) });
  s.start();
  await waitUntil('the first sample (the statements baseline is read with it)', () => out.some((r) => r.metric === 'pg_connection_utilization'));
  const w = await client();
  await w.query('SELECT pg_sleep(0.3), 42 AS slowest_statement_marker');
  for (let i = 0; i < 30; i++) await w.query('SELECT count(*) FROM items WHERE id > $1', [i]);
  await waitUntil('the 30 counted statements in pg_stat_statements', async () => {
    const r = await w.query("SELECT coalesce(sum(calls), 0)::int AS calls FROM pg_stat_statements WHERE query LIKE 'SELECT count(*) FROM items WHERE id > $1%'");
    return r.rows[0].calls >= 30;
  });
  await s.stop();
  const top = out.filter((r) => r.metric === 'pg_top_statement');
  assert.ok(top.length >= 2 && top.length <= 10, `top ${top.length}`);
  assert.match(top[0].labels?.query ?? '', /slowest_statement_marker/);
  assert.ok((top[0].value as number) >= 290);
  assert.equal(top[0].labels?.calls, '1');
  const counted = top.find((r) => /count\(\*\) FROM items WHERE id > \$1/.test(r.labels?.query ?? ''));
  assert.equal(counted?.labels?.calls, '30');
  assert.ok(top.every((r) => !/perfgate-collector|pg_stat_activity/.test(r.labels?.query ?? '')));
  for (let i = 1; i < top.length; i++) assert.ok((top[i - 1].value as number) >= (top[i].value as number));
});

test('PostgreSQL restarted mid-sampling: gaps are marked, nothing sampled is lost, and sampling recovers', async () => {
  const out: SampleRecord[] = [];
  const t0 = performance.now();
  const collectors: Collector[] = [createPostgresCollector({ url: postgres.databaseUrl, statementTimeoutMs: 300 })];
  const s = createSampler({ collectors, intervalMs: 500, clock: () => Math.round(performance.now() - t0), write: (r) => out.push(r) });
  const ok = (r: SampleRecord): boolean => r.metric === 'pg_connection_utilization' && r.value !== null;
  const waitFor = async (cond: () => boolean, deadlineMs: number): Promise<void> => {
    const end = Date.now() + deadlineMs;
    while (!cond() && Date.now() < end) await sleep(50);
  };
  let stoppedAt = 0;
  s.start();
  try {
    await waitFor(() => out.filter(ok).length >= 2, 10_000);
    stoppedAt = out.length;
    await postgres.stop();
    await waitFor(() => out.some((r) => r.value === null && r.error), 10_000);
    await postgres.start();
    await waitFor(() => {
      const lastGap = out.findLastIndex((r) => r.value === null && r.error !== undefined);
      return lastGap >= stoppedAt && out.slice(lastGap).some(ok);
    }, 15_000);
  } finally {
    await s.stop();
  }
  const gaps = out.slice(stoppedAt).filter((r) => r.value === null && r.error);
  assert.ok(gaps.length >= 8, `gaps ${gaps.length}: every metric of at least one tick`);
  assert.ok(gaps.every((g) => g.source === 'postgres' && !g.error?.includes(postgres.password)), 'no password in errors');
  assert.ok(out.slice(0, stoppedAt).filter(ok).length >= 2, 'samples before the restart kept');
  assert.ok(out.slice(out.indexOf(gaps.at(-1) as SampleRecord)).some(ok), 'recovered');
});
