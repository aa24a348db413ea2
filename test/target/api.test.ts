// The target's endpoints against real PostgreSQL and Redis: happy paths, bad input, caching, invalidation, JWT rules.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, metricValue, startStack, type Stack } from './harness.ts';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, signAccessToken } from '../../src/target/auth/jwt.ts';
import { tickers } from '../../src/target/tools.ts';

let stack: Stack;
let base: string;
let token: string;
const [T1, T2, T3] = tickers('small');

before(async () => {
  stack = await startStack();
  base = stack.target.baseUrl;
  token = await stack.token('load');
});
after(async () => {
  await stack?.stop();
});

test('liveness and readiness answer 200 and readiness checks PostgreSQL and Redis', async () => {
  const live = await http(base, '/health/live');
  assert.equal(live.status, 200);
  const ready = await http(base, '/health/ready');
  assert.equal(ready.status, 200);
  assert.deepEqual(ready.body.checks, { postgres: 'ok', redis: 'ok' });
});

test('POST /auth/token exchanges the seeded client credentials for a 15-minute RS256 token that works', async () => {
  const res = await http(base, '/auth/token', { method: 'POST', body: { clientId: 'demo-client', clientSecret: 'demo-secret' } });
  assert.equal(res.status, 200);
  assert.equal(res.body.token_type, 'Bearer');
  assert.equal(res.body.expires_in, 900);
  const header = JSON.parse(Buffer.from(res.body.access_token.split('.')[0], 'base64url').toString());
  assert.equal(header.alg, 'RS256');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const use = await http(base, `/api/v1/companies/${T1}`, { token: res.body.access_token });
  assert.equal(use.status, 200);
  const v1 = await http(base, '/api/v1/auth/token', { method: 'POST', body: { clientId: 'perfgate-load', clientSecret: 'perfgate-load-secret' } });
  assert.equal(v1.status, 200);
});

test('POST /auth/token refuses a wrong secret, an unknown client and a missing field', async () => {
  const wrong = await http(base, '/auth/token', { method: 'POST', body: { clientId: 'demo-client', clientSecret: 'nope' } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error, 'invalid_client');
  const unknown = await http(base, '/auth/token', { method: 'POST', body: { clientId: 'ghost', clientSecret: 'x' } });
  assert.equal(unknown.status, 401);
  const missing = await http(base, '/auth/token', { method: 'POST', body: { clientId: 'demo-client' } });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.field, 'clientSecret');
});

test('API routes refuse a missing token, alg none, an HS256 token signed with the public key, an expired token and a wrong audience or issuer', async () => {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const nowS = Math.floor(Date.now() / 1000);
  const payload = { sub: 'x', client_id: 'demo-client', tier: 'standard', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, iat: nowS, exp: nowS + 600 };
  const publicPem = readFileSync(join(stack.keyDir, 'jwt-public.pem'));
  const bad: Array<[string, string | undefined]> = [
    ['missing', undefined],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`],
    ['HS256 with the public key', await new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(publicPem))],
    ['expired', await signAccessToken(stack.keys.privateKey, { sub: 'x', clientId: 'demo-client', tier: 'standard' }, 60, nowS - 3600)],
    ['wrong audience', await new SignJWT({ ...payload, aud: 'other' }).setProtectedHeader({ alg: 'RS256' }).sign(stack.keys.privateKey)],
    ['wrong issuer', await new SignJWT({ ...payload, iss: 'other' }).setProtectedHeader({ alg: 'RS256' }).sign(stack.keys.privateKey)],
    ['garbage', 'not-a-jwt'],
  ];
  for (const [name, t] of bad) {
    const res = await http(base, `/api/v1/companies/${T1}`, { token: t });
    assert.equal(res.status, 401, name);
    assert.equal(res.body.error, 'unauthorized', name);
    assert.equal(typeof res.body.message, 'string', name);
  }
});

test('GET /companies filters by sector and prefix and pages with offset and cursor', async () => {
  const page1 = await http(base, '/api/v1/companies?limit=5', { token });
  assert.equal(page1.status, 200);
  assert.equal(page1.body.items.length, 5);
  const tickersSorted = [...page1.body.items.map((c: { ticker: string }) => c.ticker)];
  assert.deepEqual(tickersSorted, [...tickersSorted].sort());
  const page2 = await http(base, `/api/v1/companies?limit=5&cursor=${page1.body.nextCursor}`, { token });
  assert.ok(page2.body.items[0].ticker > tickersSorted[4]);
  const byOffset = await http(base, '/api/v1/companies?limit=5&offset=5', { token });
  assert.deepEqual(byOffset.body.items, page2.body.items);
  const sector = page1.body.items[0].sector;
  const filtered = await http(base, `/api/v1/companies?sector=${sector}&limit=100`, { token });
  assert.ok(filtered.body.items.length > 0);
  for (const c of filtered.body.items) assert.equal(c.sector, sector);
  const prefix = await http(base, `/api/v1/companies?q=${T2!.slice(0, 2)}&limit=100`, { token });
  assert.ok(prefix.body.items.some((c: { ticker: string }) => c.ticker === T2));
  const wildcard = await http(base, '/api/v1/companies?q=%25', { token });
  assert.equal(wildcard.body.items.length, 0, 'a % in q is a literal, not a wildcard');
});

test('GET /companies refuses bad paging naming the field', async () => {
  const cases: Array<[string, string]> = [
    ['limit=0', 'limit'],
    ['limit=1000', 'limit'],
    ['offset=-3', 'offset'],
    ['nope=1', 'nope'],
    ['cursor=QUJD&offset=3', 'offset'],
    ['cursor=Zm9vYmFy', 'cursor'],
  ];
  for (const [query, field] of cases) {
    const res = await http(base, `/api/v1/companies?${query}`, { token });
    assert.equal(res.status, 400, query);
    assert.equal(res.body.field, field, query);
    assert.match(res.body.message, new RegExp(field));
  }
});

test('GET /companies/:ticker is cache-aside: a miss then a hit, counted in /metrics', async () => {
  const before = await http(base, '/metrics');
  const first = await http(base, `/api/v1/companies/${T3}`, { token });
  const second = await http(base, `/api/v1/companies/${T3}`, { token });
  assert.equal(first.status, 200);
  assert.deepEqual(second.body, first.body);
  const afterM = await http(base, '/metrics');
  const delta = (name: string): number => metricValue(afterM.text, name, 'cache="company"') - metricValue(before.text, name, 'cache="company"');
  assert.equal(delta('cache_misses_total'), 1);
  assert.equal(delta('cache_hits_total'), 1);
  assert.equal(second.body.ticker, T3);
  assert.equal(typeof second.body.marketCap, 'number');
});

test('GET /companies/:ticker answers 404 for an unknown ticker and 400 for a malformed one', async () => {
  const missing = await http(base, '/api/v1/companies/QQQQQ', { token });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error, 'not_found');
  const malformed = await http(base, '/api/v1/companies/12ab', { token });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.field, 'ticker');
});

test('POST /reports writes, invalidates the company detail and list entries, and the next read shows the change', async () => {
  const detail = await http(base, `/api/v1/companies/${T1}`, { token });
  await http(base, `/api/v1/companies/${T1}`, { token }); // now cached
  const list = await http(base, `/api/v1/companies?q=${T1}&limit=100`, { token });
  const listed = list.body.items.find((c: { ticker: string }) => c.ticker === T1);
  const created = await http(base, '/api/v1/reports', {
    method: 'POST',
    token,
    body: { ticker: T1!.toLowerCase(), title: 'Initiating coverage', rating: 'buy', summary: 'Strong margins.' },
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.ticker, T1);
  assert.match(created.headers.get('location') ?? '', /^\/api\/v1\/reports\/\d+$/);
  const detailAfter = await http(base, `/api/v1/companies/${T1}`, { token });
  assert.equal(detailAfter.body.reportCount, detail.body.reportCount + 1);
  assert.equal(detailAfter.body.latestRating, 'buy');
  const listAfter = await http(base, `/api/v1/companies?q=${T1}&limit=100`, { token });
  assert.equal(listAfter.body.items.find((c: { ticker: string }) => c.ticker === T1).reportCount, listed.reportCount + 1);
});

test('POST /reports refuses bad bodies naming the field, an unknown company with 404, and bad JSON with 400', async () => {
  const cases: Array<[unknown, string]> = [
    [{ ticker: T1, title: 't', rating: 'buy' }, 'summary'],
    [{ ticker: T1, title: 't', rating: 'strong', summary: 's' }, 'rating'],
    [{ ticker: T1, title: 't', rating: 'buy', summary: 's', extra: 1 }, 'extra'],
    [{ ticker: '1', title: 't', rating: 'buy', summary: 's' }, 'ticker'],
  ];
  for (const [body, field] of cases) {
    const res = await http(base, '/api/v1/reports', { method: 'POST', token, body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.field, field);
  }
  const unknown = await http(base, '/api/v1/reports', { method: 'POST', token, body: { ticker: 'QQQQQ', title: 't', rating: 'buy', summary: 's' } });
  assert.equal(unknown.status, 404);
  const badJson = await http(base, '/api/v1/reports', { method: 'POST', token, body: '{"ticker":' });
  assert.equal(badJson.status, 400);
  assert.equal(badJson.text.includes('    at '), false, 'no stack trace');
});

test('GET /companies/:ticker/metrics returns quarterly and annual series within a date range', async () => {
  const q = await http(base, `/api/v1/companies/${T1}/metrics`, { token });
  assert.equal(q.status, 200);
  assert.equal(q.body.series.length, 12);
  const ranged = await http(base, `/api/v1/companies/${T1}/metrics?from=2024-01-01&to=2024-12-31`, { token });
  assert.deepEqual(ranged.body.series.map((r: { periodEnd: string }) => r.periodEnd), ['2024-03-31', '2024-06-30', '2024-09-30', '2024-12-31']);
  const annual = await http(base, `/api/v1/companies/${T1}/metrics?period=annual`, { token });
  assert.deepEqual(annual.body.series.map((r: { fiscalYear: number }) => r.fiscalYear), [2023, 2024, 2025]);
  const sum = q.body.series.filter((r: { fiscalYear: number }) => r.fiscalYear === 2024).reduce((a: number, r: { revenue: number }) => a + r.revenue, 0);
  assert.equal(annual.body.series[1].revenue, sum);
  const empty = await http(base, `/api/v1/companies/${T1}/metrics?from=2030-01-01`, { token });
  assert.deepEqual(empty.body.series, []);
});

test('GET /companies/:ticker/metrics refuses a bad period, a bad date, from after to, and an unknown ticker', async () => {
  const cases: Array<[string, number, string | undefined]> = [
    ['period=weekly', 400, 'period'],
    ['from=2024-13-01', 400, 'from'],
    ['from=2024-02-30', 400, undefined],
    ['from=2025-01-01&to=2024-01-01', 400, 'from'],
  ];
  for (const [query, status, field] of cases) {
    const res = await http(base, `/api/v1/companies/${T1}/metrics?${query}`, { token });
    assert.equal(res.status, status, query);
    if (field) assert.equal(res.body.field, field, query);
  }
  assert.equal((await http(base, '/api/v1/companies/QQQQQ/metrics', { token })).status, 404);
});

test('GET /companies/:ticker/filings lists the newest filings first and filters by form type', async () => {
  const res = await http(base, `/api/v1/companies/${T2}/filings?limit=5`, { token });
  assert.equal(res.status, 200);
  assert.equal(res.body.filings.length, 5);
  const dates = res.body.filings.map((f: { filedAt: string }) => f.filedAt);
  assert.deepEqual(dates, [...dates].sort().reverse());
  const tenK = await http(base, `/api/v1/companies/${T2}/filings?type=10-K`, { token });
  assert.equal(tenK.body.filings.length, 3);
  assert.equal((await http(base, `/api/v1/companies/${T2}/filings?type=S-1`, { token })).body.field, 'type');
  assert.equal((await http(base, '/api/v1/companies/QQQQQ/filings', { token })).status, 404);
});

test('GET /metrics/leaderboard ranks by the chosen metric, is cached, and refuses an unknown metric', async () => {
  const before = await http(base, '/metrics');
  const a = await http(base, '/api/v1/metrics/leaderboard?metric=net_income&year=2024&limit=5', { token });
  const b = await http(base, '/api/v1/metrics/leaderboard?metric=net_income&year=2024&limit=5', { token });
  assert.equal(a.status, 200);
  assert.deepEqual(b.body, a.body);
  assert.equal(a.body.year, 2024);
  assert.equal(a.body.items.length, 5);
  const values = a.body.items.map((i: { value: number }) => i.value);
  assert.deepEqual(values, [...values].sort((x: number, y: number) => y - x));
  const afterM = await http(base, '/metrics');
  assert.equal(metricValue(afterM.text, 'cache_hits_total', 'cache="leaderboard"') - metricValue(before.text, 'cache_hits_total', 'cache="leaderboard"'), 1);
  const latest = await http(base, '/api/v1/metrics/leaderboard', { token });
  assert.equal(latest.body.year, 2025);
  assert.equal(latest.body.metric, 'revenue');
  const bad = await http(base, '/api/v1/metrics/leaderboard?metric=vibes', { token });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.field, 'metric');
});

test('GET /market/:ticker/quote returns a fresh quote from the upstream', async () => {
  const res = await http(base, `/api/v1/market/${T1}/quote`, { token });
  assert.equal(res.status, 200);
  assert.equal(res.body.ticker, T1);
  assert.equal(res.body.stale, false);
  assert.equal(typeof res.body.price, 'number');
  assert.equal((await http(base, '/api/v1/market/1x/quote', { token })).status, 400);
});

test('responses carry helmet security headers, unknown routes answer a JSON 404', async () => {
  const res = await http(base, '/health/live');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(res.headers.get('content-security-policy'));
  const missing = await http(base, '/api/v2/nothing?token=secret');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error, 'not_found');
  assert.equal(missing.text.includes('secret'), false);
});

test('/metrics exposes the metric names the collectors read, with route templates as labels', async () => {
  const res = await http(base, '/metrics');
  assert.equal(res.status, 200);
  for (const name of [
    'http_request_duration_seconds_bucket', 'db_pool_total', 'db_pool_idle', 'db_pool_waiting', 'db_pool_max',
    'db_query_duration_seconds_bucket', 'cache_hits_total', 'cache_misses_total', 'circuit_breaker_state',
    'rate_limited_total', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds',
  ]) {
    assert.ok(res.text.includes(`\n${name}`), `missing ${name}`);
  }
  for (const le of ['0.005', '0.01', '0.025', '0.05', '0.1', '0.2', '0.5', '1', '2.5', '5']) {
    const bucketLines = res.text.split('\n').filter((l) => l.startsWith('http_request_duration_seconds_bucket{'));
    assert.ok(bucketLines.some((l) => l.includes(`le="${le}"`)), `bucket edge ${le}`);
  }
  assert.ok(res.text.includes('route="/api/v1/companies/:ticker"'));
  assert.equal(res.text.includes(`route="/api/v1/companies/${T1}"`), false, 'no raw paths as labels');
  assert.equal(metricValue(res.text, 'db_pool_max'), 20);
});

test('the logs never contain the bearer token or a client secret', async () => {
  await http(base, '/auth/token', { method: 'POST', body: { clientId: 'demo-client', clientSecret: 'demo-secret' } });
  const log = stack.target.stderr();
  assert.equal(log.includes(token), false);
  assert.equal(log.includes('demo-secret'), false);
  assert.equal(log.includes(stack.services.postgres.password), false);
});
