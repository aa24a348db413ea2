// The security checklist on the real stack (PostgreSQL, Redis, the target as a child process): /metrics behind its
// bearer token, and perfgate's Prometheus collector sending it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { http, startStack, type Stack } from './harness.ts';
import { createPrometheusCollector } from '../../src/collectors/prometheus.ts';

const METRICS_TOKEN = 'metrics-token-for-the-security-test';
let stack: Stack;
let base: string;

before(async () => {
  stack = await startStack({ targetEnv: { METRICS_TOKEN } });
  base = stack.target.baseUrl;
});
after(async () => {
  await stack?.stop();
});

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
