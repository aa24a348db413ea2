import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactLabInfo, type LabInfo } from '../../src/lab/lab-info.ts';
import { redactUrl } from '../../src/redact.ts';
import { parseProcLimits } from '../../src/lab/open-files.ts';
import { findBinary, requireBinary, sortVersionsDesc } from '../../src/lab/binaries.ts';
import { pgbouncerConfig } from '../../src/lab/pgbouncer.ts';
import { missingTargetEnv } from '../../src/cli/commands/target.ts';
import { formatDoctor } from '../../src/lab/doctor.ts';
import { formatLabInfo } from '../../src/cli/commands/lab.ts';
import { PrerequisiteError } from '../../src/errors.ts';

test('redactUrl hides passwords and leaves URLs without one alone', () => {
  const table: Array<[string, string]> = [
    ['postgres://perfgate:s3cr3t@127.0.0.1:5432/perfgate', 'postgres://perfgate:***@127.0.0.1:5432/perfgate'],
    ['postgres://perfgate:a%2Fb@127.0.0.1:6432/pgbouncer', 'postgres://perfgate:***@127.0.0.1:6432/pgbouncer'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://:pw@127.0.0.1:6379', 'redis://:***@127.0.0.1:6379'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ];
  for (const [input, expected] of table) assert.equal(redactUrl(input), expected, input);
});

test('redactLabInfo redacts every database URL and keeps the rest', () => {
  const info = {
    databaseUrl: 'postgres://perfgate:pw1@127.0.0.1:1/perfgate',
    pgbouncerUrl: 'postgres://perfgate:pw1@127.0.0.1:2/perfgate',
    pgbouncerAdminUrl: 'postgres://perfgate:pw1@127.0.0.1:2/pgbouncer',
    redisUrl: 'redis://127.0.0.1:3',
    targetUrl: 'http://127.0.0.1:4',
    metricsToken: 'metrics-token-pw1',
  } as LabInfo;
  const text = JSON.stringify(redactLabInfo(info));
  assert.doesNotMatch(text, /pw1/);
  assert.match(text, /http:\/\/127\.0\.0\.1:4/);
});

test('parseProcLimits reads the open-file limit line', () => {
  const text = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n';
  assert.deepEqual(parseProcLimits(text), { soft: 1024, hard: 524288 });
  assert.deepEqual(parseProcLimits('Max open files unlimited unlimited files'), { soft: Number.MAX_SAFE_INTEGER, hard: Number.MAX_SAFE_INTEGER });
  assert.deepEqual(parseProcLimits('nothing here'), { soft: null, hard: null });
});

test('PostgreSQL version folders sort from highest to lowest', () => {
  assert.deepEqual(sortVersionsDesc(['9.6', '15', '16', '10', '14']), ['16', '15', '14', '10', '9.6']);
});

test('findBinary searches only the override folders when given, and requireBinary names the install command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-bin-'));
  try {
    assert.equal(findBinary('redis-server', { dirs: [dir] }), null);
    assert.throws(() => requireBinary('redis-server', { dirs: [dir] }), (err: unknown) => {
      assert.ok(err instanceof PrerequisiteError);
      assert.match(err.message, /redis-server not found/);
      assert.match(err.message, /apt-get install redis-server/);
      assert.match(err.message, /brew install redis/);
      return true;
    });
    writeFileSync(join(dir, 'redis-server'), '#!/bin/sh\necho fake\n');
    chmodSync(join(dir, 'redis-server'), 0o755);
    assert.equal(findBinary('redis-server', { dirs: [dir] }), join(dir, 'redis-server'));
    assert.equal(findBinary('pgbouncer', { dirs: [], pathEnv: dir }), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the PgBouncer config uses transaction pooling, the pool sizes and the ignored startup parameters', () => {
  const ini = pgbouncerConfig({ port: 6432, pgHost: '127.0.0.1', pgPort: 5432, database: 'perfgate', user: 'perfgate', poolSize: 25, maxClientConn: 10000, dir: '/d' });
  for (const line of [
    'perfgate = host=127.0.0.1 port=5432 dbname=perfgate',
    'listen_addr = 127.0.0.1',
    'listen_port = 6432',
    'pool_mode = transaction',
    'default_pool_size = 25',
    'max_client_conn = 10000',
    'admin_users = perfgate',
    'stats_users = perfgate',
    'ignore_startup_parameters = extra_float_digits,options',
    'auth_file = /d/userlist.txt',
  ]) {
    assert.ok(ini.split('\n').includes(line), line);
  }
});

test('perfgate target names every missing environment variable', () => {
  assert.deepEqual(missingTargetEnv({}), ['DATABASE_URL', 'REDIS_URL', 'UPSTREAM_URL']);
  assert.deepEqual(missingTargetEnv({ DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://y' }), ['UPSTREAM_URL']);
  assert.deepEqual(missingTargetEnv({ DATABASE_URL: 'a', REDIS_URL: 'b', UPSTREAM_URL: 'c' }), []);
});

test('the doctor report lists the fix under each missing binary and counts what is required', () => {
  const text = formatDoctor([
    { name: 'postgres', status: 'ok', detail: 'postgres 15', required: true },
    { name: 'pgbouncer', status: 'missing', detail: 'not found', fix: ['Debian/Ubuntu: apt-get install pgbouncer'], required: true },
  ]);
  assert.match(text, /^OK +postgres +postgres 15$/m);
  assert.match(text, /^MISSING pgbouncer +not found\n +Debian\/Ubuntu: apt-get install pgbouncer$/m);
  assert.match(text, /1 required prerequisite is missing: pgbouncer/);
});

test('the lab summary prints one line per URL, passwords redacted, with each PID up or DOWN', () => {
  const info: LabInfo = {
    version: 1,
    pid: 10,
    startedAt: '2026-01-01T00:00:00.000Z',
    stateDir: '/tmp/perfgate-lab-x',
    databaseUrl: 'postgres://perfgate:topsecret@127.0.0.1:5432/perfgate',
    redisUrl: 'redis://127.0.0.1:6379',
    pgbouncerUrl: 'postgres://perfgate:topsecret@127.0.0.1:6432/perfgate',
    pgbouncerAdminUrl: 'postgres://perfgate:topsecret@127.0.0.1:6432/pgbouncer',
    upstreamUrl: 'http://127.0.0.1:8090',
    upstreamControlUrl: 'http://127.0.0.1:8090/__control',
    targetUrl: 'http://127.0.0.1:8080',
    metricsUrl: 'http://127.0.0.1:8080/metrics',
    tokensFile: '/tmp/perfgate-lab-x/tokens.csv',
    workers: 2,
    seed: 'small',
    services: { postgres: { pid: 11, port: 5432, logFile: 'p.log' }, target: { pid: 12, port: 8080, logFile: 't.log' } },
  };
  const text = formatLabInfo(info, (pid) => pid === 11);
  assert.doesNotMatch(text, /topsecret/);
  assert.match(text, /^lab running \(pid 10, started 2026-01-01T00:00:00.000Z, 2 workers, seed small\)$/m);
  assert.match(text, /^ {2}postgres +postgres:\/\/perfgate:\*\*\*@127\.0\.0\.1:5432\/perfgate {2}\(pid 11 up\)$/m);
  assert.match(text, /^ {2}target +http:\/\/127\.0\.0\.1:8080 {2}\(pid 12 DOWN\)$/m);
  assert.match(text, /^ {2}pgb admin +postgres:\/\/perfgate:\*\*\*@127\.0\.0\.1:6432\/pgbouncer$/m);
});
