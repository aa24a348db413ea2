import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startServices, type Services } from '../support/services.ts';
import { isAlive, isGroupAlive } from '../../src/lab/process.ts';
import { isPortInUse } from '../../src/lab/free-port.ts';
import { redisPing } from '../../src/lab/redis.ts';
import { scramVerifier } from '../../src/lab/postgres.ts';
import { serviceUser } from '../../src/lab/service-user.ts';

/** The real uid a process runs as, from /proc. */
function uidOf(pid: number): number {
  return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/** Runs one query with a fresh client and returns the rows. */
async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the lab services (PostgreSQL, Redis, PgBouncer)', () => {
  let services: Services;
  let pids: number[] = [];
  let ports: number[] = [];

  before(async () => {
    services = await startServices({ pgbouncer: true });
  });

  after(async () => {
    await services?.stop();
  });

  test('PostgreSQL answers as the perfgate user with pg_stat_statements and 200 connections', async () => {
    const [row] = await query(services.databaseUrl, "SELECT current_user AS u, current_database() AS db, current_setting('max_connections') AS mc");
    assert.deepEqual(row, { u: 'perfgate', db: 'perfgate', mc: '200' });
    assert.equal(services.postgres.pgStatStatements, true);
    const ext = await query(services.databaseUrl, "SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_stat_statements'");
    assert.equal(ext[0]?.n, 1);
    await query(services.databaseUrl, 'SELECT count(*) FROM pg_stat_statements');
    assert.match(services.databaseUrl, /^postgres:\/\/perfgate:[^@]+@127\.0\.0\.1:\d+\/perfgate$/);
  });

  test('PostgreSQL refuses a wrong password', async () => {
    const bad = services.databaseUrl.replace(/:[^:@]+@/, ':wrong@');
    await assert.rejects(query(bad, 'SELECT 1'), /password authentication failed/);
  });

  test('Redis answers PING and runs with maxmemory, allkeys-lru and AOF every second', async () => {
    const redis = new Redis(services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      assert.equal(await redis.ping(), 'PONG');
      assert.deepEqual(await redis.config('GET', 'maxmemory'), ['maxmemory', String(256 * 1024 * 1024)]);
      assert.deepEqual(await redis.config('GET', 'maxmemory-policy'), ['maxmemory-policy', 'allkeys-lru']);
      assert.deepEqual(await redis.config('GET', 'appendonly'), ['appendonly', 'yes']);
      assert.deepEqual(await redis.config('GET', 'appendfsync'), ['appendfsync', 'everysec']);
      assert.deepEqual(await redis.config('GET', 'bind'), ['bind', '127.0.0.1']);
    } finally {
      redis.disconnect();
    }
  });

  test('Redis refuses a client without the lab\'s password, which is on no command line, and runs as the service user', async () => {
    const { port, password, pid } = services.redis;
    assert.ok(password.length >= 20 && services.redisUrl.includes(`:${password}@`), 'REDIS_URL carries the password');
    await assert.rejects(redisPing(port), /NOAUTH/);
    assert.equal(await redisPing(port, '127.0.0.1', 2_000, password), true);
    assert.ok(!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(password), 'the password is not on the command line');
    const user = serviceUser();
    if (user) assert.equal(uidOf(pid), user.uid, `redis runs as ${user.name}, as PostgreSQL does`);
    else assert.equal(uidOf(pid), process.getuid?.());
  });

  test('the app role finds neither the provisioning statement nor its password in pg_stat_statements', async () => {
    const rows = await query(services.databaseUrl, 'SELECT query FROM pg_stat_statements');
    for (const { query: text } of rows as Array<{ query: string }>) {
      assert.ok(!text.includes(services.postgres.password), `the password is in: ${text}`);
      assert.doesNotMatch(text, /CREATE ROLE/i);
    }
  });

  test('a SCRAM verifier has PostgreSQL\'s shape and depends on the salt, never containing the password', () => {
    const v = scramVerifier('pw-123', Buffer.alloc(16, 1));
    assert.match(v, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
    assert.equal(v, scramVerifier('pw-123', Buffer.alloc(16, 1)));
    assert.notEqual(v, scramVerifier('pw-123', Buffer.alloc(16, 2)));
    assert.ok(!v.includes('pw-123'));
  });

  test('PgBouncer pools in transaction mode and its admin console answers SHOW POOLS', async () => {
    assert.ok(services.pgbouncerUrl && services.pgbouncerAdminUrl);
    const [row] = await query(services.pgbouncerUrl, 'SELECT current_user AS u, 41 + 1 AS n');
    assert.deepEqual(row, { u: 'perfgate', n: 42 });
    const pools = await query(services.pgbouncerAdminUrl, 'SHOW POOLS');
    const pool = pools.find((p) => p.database === 'perfgate');
    assert.ok(pool, 'a pool for the perfgate database');
    assert.equal(pool.pool_mode, 'transaction');
    const config = await query(services.pgbouncerAdminUrl, 'SHOW CONFIG');
    const setting = (key: string): unknown => config.find((c) => c.key === key)?.value;
    assert.equal(setting('default_pool_size'), '25');
    assert.equal(setting('max_client_conn'), '10500');
    await query(services.pgbouncerAdminUrl, 'SHOW STATS');
  });

  test('PostgreSQL restarts on the same port and data', async () => {
    const before = services.postgres.pid;
    await query(services.databaseUrl, 'CREATE TABLE IF NOT EXISTS survives (x int); INSERT INTO survives VALUES (7)');
    await services.postgres.restart();
    assert.notEqual(services.postgres.pid, before);
    assert.equal(isAlive(before), false);
    const rows = await query(services.databaseUrl, 'SELECT x FROM survives');
    assert.deepEqual(rows, [{ x: 7 }]);
  });

  test('Redis stops and starts again on the same port', async () => {
    const port = services.redis.port;
    await services.redis.stop();
    assert.equal(await isPortInUse(port), false);
    await services.redis.start();
    assert.equal(services.redis.port, port);
    assert.equal(await isPortInUse(port), true);
    const redis = new Redis(services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      assert.equal(await redis.ping(), 'PONG', 'the same password after a restart (cache-outage drill)');
    } finally {
      redis.disconnect();
    }
  });

  test('stop() leaves no process, no port in use and no folder', async () => {
    pids = [services.postgres.pid, services.redis.pid, services.pgbouncer!.pid];
    ports = [services.postgres.port, services.redis.port, services.pgbouncer!.port];
    for (const pid of pids) assert.equal(isAlive(pid), true, `pid ${pid} runs before stop`);
    await services.stop();
    for (const pid of pids) {
      assert.equal(isAlive(pid), false, `pid ${pid} is gone`);
      assert.equal(isGroupAlive(pid), false, `process group ${pid} is gone`);
    }
    for (const port of ports) assert.equal(await isPortInUse(port), false, `port ${port} is free`);
    assert.equal(existsSync(services.dir), false);
  });
});
