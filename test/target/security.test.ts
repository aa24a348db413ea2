// The security checklist on the real stack (PostgreSQL, Redis, the target as a child process): /metrics behind its
// bearer token, and perfgate's Prometheus collector sending it; the audit stream; per-client scopes; the right to deletion;
// least privilege (the target connects as the app role, which reads and writes data and creates nothing).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import { Redis } from 'ioredis';
import pg from 'pg';
import { http, startStack, waitFor, type Stack } from './harness.ts';
import { tickers } from '../../src/target/tools.ts';
import { createPrometheusCollector } from '../../src/collectors/prometheus.ts';

const METRICS_TOKEN = 'metrics-token-for-the-security-test';
const [T1, T2] = tickers('small');
let stack: Stack;
let base: string;
let dir: string;
let auditFile: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perfgate-security-'));
  auditFile = join(dir, 'audit.ndjson');
  stack = await startStack({ targetEnv: { METRICS_TOKEN, AUDIT_LOG_FILE: auditFile } });
  base = stack.target.baseUrl;
});
after(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The audit records written so far. */
function auditRecords(): Array<Record<string, any>> {
  let text = '';
  try {
    text = readFileSync(auditFile, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
}

/** Waits for the audit record of one request (by its event and a predicate). */
function auditOf(event: string, match: (r: Record<string, any>) => boolean): Promise<Record<string, any>> {
  return waitFor(`audit record ${event}`, async () => auditRecords().find((r) => r.event === event && match(r)), 10_000, 100);
}

test('/metrics needs the METRICS_TOKEN bearer; health stays open; the collector sends the token and never shows it', async () => {
  assert.equal((await http(base, '/health/live')).status, 200);
  const bare = await http(base, '/metrics');
  assert.equal(bare.status, 401);
  assert.equal(bare.headers.get('www-authenticate'), 'Bearer realm="metrics"');
  assert.doesNotMatch(bare.text, /http_request_duration_seconds/);
  assert.equal((await http(base, '/metrics', { token: 'a-wrong-token-of-some-length' })).status, 401);
  const ok = await http(base, '/metrics', { token: METRICS_TOKEN });
  assert.equal(ok.status, 200);
  assert.match(ok.text, /db_pool_max/);

  const withToken = createPrometheusCollector({ url: `${base}/metrics`, bearerToken: METRICS_TOKEN });
  const without = createPrometheusCollector({ url: `${base}/metrics` });
  try {
    const samples = await withToken.sample(AbortSignal.timeout(5000), 0);
    assert.ok(samples.some((s) => s.metric === 'db_pool_utilization'), JSON.stringify(samples.map((s) => s.metric)));
    await assert.rejects(without.sample(AbortSignal.timeout(5000), 0), /HTTP 401/);
  } finally {
    await withToken.close();
    await without.close();
  }
  assert.doesNotMatch(stack.target.stderr(), new RegExp(METRICS_TOKEN));
});

test('the audit stream records token issuance, failed logins and report writes: time, client, address, request id, outcome; no secret', async () => {
  const bad = await http(base, '/api/v1/auth/token', { method: 'POST', body: { clientId: 'demo-client', clientSecret: 'not-the-secret-xyz' } });
  assert.equal(bad.status, 401);
  const good = await http(base, '/api/v1/auth/token', { method: 'POST', body: { clientId: 'demo-client', clientSecret: 'demo-secret' } });
  assert.equal(good.status, 200);
  const token = good.body.access_token as string;
  const report = await http(base, '/api/v1/reports', { method: 'POST', token, body: { ticker: T1, title: 'Audited', rating: 'hold', summary: 'x' } });
  assert.equal(report.status, 201);

  const failed = await auditOf('login.failed', (r) => r.client === 'demo-client');
  assert.equal(failed.outcome, 'failure');
  const issued = await auditOf('token.issue', (r) => r.client === 'demo-client');
  assert.equal(issued.outcome, 'success');
  const written = await auditOf('report.write', (r) => r.reportId === report.body.id);
  assert.equal(written.outcome, 'success');
  assert.equal(written.client, 'demo-client');
  assert.equal(written.ticker, T1);
  for (const r of [failed, issued, written]) {
    assert.equal(r.log, 'audit');
    assert.ok(!Number.isNaN(Date.parse(r.time)), `time ${r.time}`);
    assert.equal(r.sourceAddress, '127.0.0.1');
    assert.match(String(r.requestId), /^[0-9a-f-]{36}$/);
  }
  assert.notEqual(failed.requestId, issued.requestId);
  const text = readFileSync(auditFile, 'utf8');
  for (const secret of ['not-the-secret-xyz', 'demo-secret', token, token.split('.')[2]!]) assert.ok(!text.includes(secret), 'a secret in the audit log');
  assert.doesNotMatch(stack.target.stderr(), /"log":"audit"/, 'audit records go to their own file, not the service log');
});

test('a read-only token (no scope) reads but gets 403 insufficient_scope on a report write, audited as refused; a login gets the client\'s scopes', async () => {
  const readOnly = await stack.token('standard', undefined, []);
  assert.equal((await http(base, `/api/v1/companies/${T1}`, { token: readOnly })).status, 200);
  const before = (await http(base, `/api/v1/companies/${T1}`, { token: readOnly })).body.reportCount;
  const refused = await http(base, '/api/v1/reports', { method: 'POST', token: readOnly, body: { ticker: T1, title: 'No', rating: 'sell', summary: 'x' } });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error, 'insufficient_scope');
  assert.match(refused.body.message, /reports:write/);
  assert.equal((await http(base, `/api/v1/companies/${T1}`, { token: readOnly })).body.reportCount, before, 'nothing was written');
  const audited = await auditOf('report.write', (r) => r.outcome === 'refused');
  assert.equal(audited.reason, 'insufficient_scope');

  const login = await http(base, '/api/v1/auth/token', { method: 'POST', body: { clientId: 'perfgate-load', clientSecret: 'perfgate-load-secret' } });
  assert.equal(login.status, 200);
  const claims = JSON.parse(Buffer.from(String(login.body.access_token).split('.')[1]!, 'base64url').toString('utf8'));
  assert.equal(claims.scope, 'reports:write', 'the load client keeps writing reports (scenarios/journeys.ts)');
});

test('DELETE /api/v1/clients/:id/data erases a client\'s reports, credentials and login state, fixes the cached company, and is audited', async () => {
  const db = new pg.Client({ connectionString: stack.services.databaseUrl });
  const redis = new Redis(stack.services.redisUrl);
  await db.connect();
  try {
    await db.query(`INSERT INTO api_clients (client_id, secret_hash, tier, scopes) VALUES ('erase-me', $1, 'standard', '{reports:write}')`, [await bcrypt.hash('erase-me-secret', 4)]);
    const login = () => http(base, '/api/v1/auth/token', { method: 'POST', body: { clientId: 'erase-me', clientSecret: 'erase-me-secret' } });
    const own = (await login()).body.access_token as string;
    const reader = await stack.token('standard', undefined, []);
    const before = (await http(base, `/api/v1/companies/${T2}`, { token: reader })).body;
    const created = await http(base, '/api/v1/reports', { method: 'POST', token: own, body: { ticker: T2, title: 'Mine', rating: 'sell', summary: 'personal' } });
    assert.equal(created.status, 201);
    const cached = (await http(base, `/api/v1/companies/${T2}`, { token: reader })).body; // cached now, showing the report
    assert.equal(cached.reportCount, before.reportCount + 1);
    assert.ok((await redis.keys('login:*erase-me*')).length > 0, 'the login left state in Redis');

    const refused = await http(base, '/api/v1/clients/erase-me/data', { method: 'DELETE', token: reader });
    assert.equal(refused.status, 403, 'another client without clients:erase may not erase');
    const erased = await http(base, '/api/v1/clients/erase-me/data', { method: 'DELETE', token: own });
    assert.equal(erased.status, 200, erased.text);
    assert.deepEqual(erased.body, { clientId: 'erase-me', deleted: { reports: 1, clients: 1 } });

    assert.equal((await db.query(`SELECT 1 FROM reports WHERE client_id = 'erase-me' OR author = 'erase-me'`)).rowCount, 0);
    assert.equal((await db.query(`SELECT 1 FROM api_clients WHERE client_id = 'erase-me'`)).rowCount, 0);
    const after = (await http(base, `/api/v1/companies/${T2}`, { token: reader })).body;
    assert.equal(after.reportCount, before.reportCount, 'the cached company entry was dropped');
    assert.equal(after.latestRating, before.latestRating);
    assert.deepEqual(await redis.keys('login:*erase-me*'), []);
    assert.equal((await login()).status, 401, 'the erased client can no longer log in');
    const again = await http(base, '/api/v1/clients/erase-me/data', { method: 'DELETE', token: own });
    assert.deepEqual(again.body.deleted, { reports: 0, clients: 0 }, 'erasure is idempotent');

    const audited = await auditOf('client_data.delete', (r) => r.outcome === 'success' && r.target === 'erase-me');
    assert.equal(audited.client, 'erase-me');
    assert.equal(audited.reports, 1);
    await auditOf('client_data.delete', (r) => r.outcome === 'refused' && r.target === 'erase-me');
  } finally {
    await db.end();
    redis.disconnect();
  }
});

test('least privilege: the target connects as the app role, which reads and writes data but cannot create, alter or drop', async () => {
  const owner = new pg.Client({ connectionString: stack.services.databaseUrl });
  const app = new pg.Client({ connectionString: stack.services.postgres.appDatabaseUrl });
  await owner.connect();
  await app.connect();
  try {
    const roles = await owner.query(`SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name = 'perfgate-target'`);
    assert.deepEqual(roles.rows.map((r) => r.usename), ['perfgate_app']);
    assert.equal((await app.query('SELECT count(*)::int AS n FROM companies')).rows[0].n, 200);
    const denied = async (sql: string) => {
      await assert.rejects(app.query(sql), (err: { code?: string }) => err.code === '42501', sql);
    };
    await denied('CREATE TABLE intruder (id int)');
    await denied('CREATE TEMP TABLE intruder (id int)');
    await denied('CREATE SCHEMA intruder');
    await denied('DROP TABLE reports');
    await denied('ALTER TABLE companies ADD COLUMN intruder int');
    await denied('TRUNCATE reports');
    await denied(`UPDATE companies SET name = 'x' WHERE false`);
    await denied(`INSERT INTO api_clients (client_id, secret_hash, tier) VALUES ('x', 'y', 'standard')`);
    await denied(`UPDATE api_clients SET scopes = '{clients:erase}' WHERE false`);
    await denied('DELETE FROM schema_migrations');
  } finally {
    await app.end();
    await owner.end();
  }
});
