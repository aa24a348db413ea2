import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardPgUrl, guardRedisUrl, guardTarget, isAllowedHost, isLoopbackAddress, pgClientConfig } from '../../src/engine/host-guard.ts';
import { redactUrl } from '../../src/redact.ts';
import { HostNotAllowedError } from '../../src/errors.ts';
import { insideFreshNetns } from '../support/netns.ts';
import { startPostgres } from '../../src/lab/postgres.ts';
import { runScenario } from '../../src/run/run-scenario.ts';
import { readRunDir } from '../../src/results/read.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');

// Every test here runs in a fresh network namespace with loopback only: a guard that fails open cannot reach anything.
if (insideFreshNetns(import.meta.url)) {

test('loopback addresses are recognised and others are not', () => {
  const table: Array<[string, boolean]> = [
    ['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['[::1]', true], ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true], ['[::ffff:7f00:1]', true], ['0:0:0:0:0:ffff:7f00:1', true], ['0:0:0:0:0:0:0:1', true],
    ['10.0.0.1', false], ['192.168.1.1', false], ['::ffff:10.0.0.1', false], ['::ffff:a00:1', false], ['1.2.3.4', false],
    ['fe80::1', false], ['::7f00:1', false], ['localhost', false], ['', false],
  ];
  for (const [a, want] of table) assert.equal(isLoopbackAddress(a), want, a);
});

test('the allow-list matches hosts exactly or by wildcard suffix', () => {
  assert.equal(isAllowedHost('api.example.com', ['api.example.com']), true);
  assert.equal(isAllowedHost('API.example.com', ['api.example.com']), true);
  assert.equal(isAllowedHost('x.example.com', ['*.example.com']), true);
  assert.equal(isAllowedHost('example.org', ['*.example.com']), false);
  assert.equal(isAllowedHost('evil.com', []), false);
});

test('loopback targets pass the guard and resolve to a loopback address', async () => {
  for (const url of ['http://127.0.0.1:8080', 'http://localhost:3000/x', 'http://[::1]:9000', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]:81/']) {
    const t = await guardTarget(url);
    assert.ok(isLoopbackAddress(t.address), `${url} -> ${t.address}`);
  }
});

test('a non-loopback target is refused unless allowed, with the flag named in the message', async () => {
  await assert.rejects(guardTarget('http://10.1.2.3:80'), (err: unknown) => err instanceof HostNotAllowedError && /--allow-host 10\.1\.2\.3/.test(err.message));
  const t = await guardTarget('http://10.1.2.3:80', ['10.1.2.3']);
  assert.equal(t.address, '10.1.2.3');
  await assert.rejects(guardTarget('ftp://127.0.0.1'), (err: unknown) => err instanceof HostNotAllowedError && /only http:\/\/ and https:\/\//.test(err.message));
  await assert.rejects(guardTarget('not a url'), HostNotAllowedError);
});

test('a resolved target carries its protocol, origin, default port and Host header', async () => {
  for (const [url, protocol, origin, port, hostHeader] of [
    ['http://127.0.0.1', 'http:', 'http://127.0.0.1', 80, '127.0.0.1'],
    ['https://LOCALHOST:8443/api', 'https:', 'https://localhost:8443', 8443, 'localhost:8443'],
    ['https://127.0.0.1', 'https:', 'https://127.0.0.1', 443, '127.0.0.1'],
    ['http://[::1]:8080', 'http:', 'http://[::1]:8080', 8080, '[::1]:8080'],
  ] as const) {
    const t = await guardTarget(url);
    assert.deepEqual([t.protocol, t.origin, t.port, t.hostHeader], [protocol, origin, port, hostHeader], url);
  }
});

test('passwords in URLs are redacted', () => {
  assert.equal(redactUrl('http://u:secret@127.0.0.1:5432/db'), 'http://u:***@127.0.0.1:5432/db');
  assert.equal(redactUrl('http://127.0.0.1/'), 'http://127.0.0.1/');
  assert.ok(!redactUrl('postgres://u:secret@host/db').includes('secret'));
});

const refusedPg: Array<[string, RegExp]> = [
  ['postgres://u:p@127.0.0.1:5432/db?host=10.0.0.1', /10\.0\.0\.1/],
  ['postgres:///db?host=10.0.0.1&user=u&password=p', /10\.0\.0\.1/],
  ['postgres://u:p@127.0.0.1,10.0.0.1:5432/db', /10\.0\.0\.1/],
  ['postgres://u:p@127.0.0.1/db?host=127.0.0.1,10.0.0.1', /10\.0\.0\.1/],
  ['postgres://u:p@[::ffff:a00:1]:5432/db', /::ffff:a00:1/],
  ['postgres:///db', /names no host/],
  ['postgres://u:p@/db', /names no host/],
  ['postgres://u:p@127.0.0.1/db?host=/var/run/postgresql', /Unix socket "\/var\/run\/postgresql"/],
  ['socket:/var/run/postgresql?db=x', /Unix socket/],
  ['/var/run/postgresql db', /Unix socket/],
];

test('a PostgreSQL URL is guarded on every host pg would use: ?host=, several hosts, an empty host, a socket', async () => {
  for (const [url, why] of refusedPg) {
    await assert.rejects(guardPgUrl(url, [], 'connections.db.url'), (err: unknown) => {
      assert.ok(err instanceof HostNotAllowedError, `${url}: ${String(err)}`);
      assert.match(err.message, /^connections\.db\.url/, url);
      assert.match(err.message, why, url);
      assert.ok(!err.message.includes(':p@'), `no password in "${err.message}"`);
      return true;
    });
  }
});

test('a cleared PostgreSQL URL is pinned to the checked address and keeps its settings', async () => {
  const table: Array<[string, string[], string]> = [
    ['postgres://u:p@127.0.0.1:5432/db', [], '127.0.0.1'],
    ['postgres://u:p@localhost:5433/db', [], '127.0.0.1'],
    ['postgres://u:p@10.0.0.1:5432/db?host=127.0.0.2', [], '127.0.0.2'],
    ['postgres://u:p@[::ffff:127.0.0.1]:5432/db', [], '::ffff:7f00:1'],
    ['postgres://u:p@10.0.0.1:5432/db', ['10.0.0.1'], '10.0.0.1'],
    ['postgres://u@127.0.0.1/db?host=/var/run/postgresql', ['/var/run/postgresql'], '/var/run/postgresql'],
  ];
  for (const [url, allow, host] of table) {
    const pinned = await guardPgUrl(url, allow, 'connections.db.url');
    assert.equal(pinned.host, host, url);
  }
  const config = pgClientConfig(await guardPgUrl('postgres://app:s%40cret@localhost:6543/perf?application_name=x&sslmode=verify-full', [], 'x'));
  assert.deepEqual(
    [config.host, config.port, config.user, config.password, config.database, config.application_name],
    ['127.0.0.1', 6543, 'app', 's@cret', 'perf', 'x'],
  );
  assert.equal((config.ssl as { servername?: string }).servername, 'localhost', 'TLS still names the host as written');
});

test('a Redis URL is guarded as ioredis reads it: ?host= fills an empty host, ?path= is a socket', async () => {
  for (const [url, why] of [
    ['redis://:pw@10.0.0.1:6379', /10\.0\.0\.1/],
    ['redis:///0?host=10.0.0.1&password=pw', /10\.0\.0\.1/],
    ['redis:///0', /names no host/],
    ['redis://:pw@/0', /not a Redis URL/],
    ['redis://127.0.0.1:6379?path=/tmp/redis.sock', /Unix socket/],
  ] as const) {
    await assert.rejects(guardRedisUrl(url, [], 'collectors.redis.url'), (err: unknown) => err instanceof HostNotAllowedError && why.test(err.message) && !err.message.includes('pw@'), url);
  }
  assert.equal((await guardRedisUrl('redis://:pw@localhost:6379/0', [], 'x')).address, '127.0.0.1');
});

test('perfgate run refuses a sql connection that points elsewhere through ?host=, before any run directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-guard-'));
  try {
    for (const [i, url] of ['postgres://u:p@127.0.0.1:5432/db?host=10.0.0.1', 'postgres:///db?host=10.0.0.1&user=u&password=p'].entries()) {
      const file = join(dir, `sql-${i}.json`);
      writeFileSync(file, JSON.stringify({
        name: 'side-door', target: { baseUrl: 'http://127.0.0.1:1' }, connections: { db: { url } },
        load: { executor: 'constant-vus', vus: 1, duration: '1s' },
        journeys: [{ name: 'q', steps: [{ name: 'q', type: 'sql', connection: 'db', sql: 'select 1' }] }],
      }));
      const out = join(dir, `run-${i}`);
      const r = spawnSync(process.execPath, [BIN, 'run', file, '--out', out, '--quiet'], { cwd: dir, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
      assert.equal(r.status, 104, `${url}: exit ${r.status}\n${r.stderr}`);
      assert.match(r.stderr, /connections\.db\.url.*10\.0\.0\.1/);
      assert.ok(!r.stderr.includes('password=p') && !r.stderr.includes(':p@'), r.stderr);
      assert.equal(existsSync(out), false, 'no run directory for a run that never started');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sql connection written with a host name runs on the pinned address, with the URL\'s user, password and database', async () => {
  const pgh = await startPostgres({ unsafeNoFsync: true, maxConnections: 20 });
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-pinned-'));
  try {
    const url = pgh.url.replace('127.0.0.1', 'localhost');
    const outcome = await runScenario({
      scenario: {
        name: 'pinned', target: { baseUrl: 'http://127.0.0.1:1' }, connections: { db: { url } },
        load: { executor: 'constant-vus', vus: 2, duration: '1s', gracefulStop: '1s' },
        journeys: [{ name: 'q', steps: [{ name: 'q', type: 'sql', connection: 'db', sql: 'select current_user', think: '50ms' }] }],
      },
      out: join(dir, 'run'),
    });
    const data = await readRunDir(outcome.runDir);
    const reqs = data.intervals.filter((r) => r.type === 'req');
    const ok = reqs.reduce((a, r) => a + r.count - r.failed, 0);
    assert.ok(ok > 5, `queries succeeded: ${JSON.stringify(reqs.map((r) => [r.count, r.failed, r.errors]))}`);
    assert.ok(!JSON.stringify(data.run).includes(pgh.password), 'run.json keeps no password');
  } finally {
    await pgh.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
}
