import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { startTestLab, type Lab } from '../support/lab.ts';
import { resolveCollectors } from '../../src/collectors/resolve.ts';
import type { Collector, CollectorSample } from '../../src/collectors/types.ts';

// The reference target, started by the lab with a pool of 2, read by every collector resolved from the lab's URLs.
let lab: Lab;
let collectors: Collector[];
let token: string;
let tickers: string[];

before(async () => {
  lab = await startTestLab({ targetEnv: { DB_POOL_MAX: '2' }, tokens: 5 });
  collectors = await resolveCollectors({ prometheus: {}, postgres: {}, redis: {}, host: {} }, {}, lab.info);
  token = readFileSync(lab.info.tokensFile, 'utf8').trim().split('\n')[1] as string;
  tickers = readFileSync(new URL('../../fixtures/tickers.csv', import.meta.url), 'utf8').trim().split('\n').slice(1, 41);
});

after(async () => {
  for (const c of collectors ?? []) await c.close();
  await lab?.stop();
});

async function sampleAll(tMs: number): Promise<CollectorSample[]> {
  const results = await Promise.all(collectors.map((c) => c.sample(AbortSignal.timeout(2000), tMs)));
  return results.flat();
}

async function get(path: string): Promise<number> {
  const res = await request(`${lab.info.targetUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await res.body.dump();
  return res.statusCode;
}

const value = (samples: CollectorSample[], source: string, metric: string): number | null | undefined =>
  samples.find((s) => s.source === source && s.metric === metric && s.labels === undefined)?.value;

test('driving the real target moves its latency histograms, CPU, cache hit ratios and database metrics', async () => {
  await sampleAll(0);
  // cold: every company once (cache misses), 8 at a time on a pool of 2
  const started = performance.now();
  for (let i = 0; i < tickers.length; i += 8) {
    const statuses = await Promise.all(tickers.slice(i, i + 8).map((t) => get(`/api/v1/companies/${t}`)));
    assert.ok(statuses.every((s) => s === 200), statuses.join(','));
  }
  const cold = await sampleAll(performance.now() - started);
  // warm: the same companies three more times (cache hits)
  const warmStart = performance.now();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < tickers.length; i += 8) await Promise.all(tickers.slice(i, i + 8).map((t) => get(`/api/v1/companies/${t}`)));
  }
  const warm = await sampleAll(performance.now() - started + (performance.now() - warmStart));

  const http = cold.find((s) => s.metric === 'target_http_req_duration');
  assert.ok((http?.buckets?.at(-1)?.[1] as number) >= tickers.length, 'every request in the interval histogram');
  assert.ok((http?.value as number) > 0);
  const dbq = cold.find((s) => s.metric === 'db_query_duration');
  assert.ok((dbq?.buckets?.at(-1)?.[1] as number) >= tickers.length, 'a query per cache miss');
  assert.ok((value(cold, 'prometheus', 'target_cpu') as number) > 0);
  assert.ok((value(cold, 'prometheus', 'target_rss') as number) > 10e6);
  assert.ok((value(cold, 'prometheus', 'target_event_loop_lag') as number) >= 0);
  assert.equal(value(cold, 'prometheus', 'circuit_breaker_state'), 0);
  const util = value(cold, 'prometheus', 'db_pool_utilization') as number;
  assert.ok(util >= 0 && util <= 1);

  const coldRatio = value(cold, 'prometheus', 'target_cache_hit_ratio') as number;
  const warmRatio = value(warm, 'prometheus', 'target_cache_hit_ratio') as number;
  assert.ok(coldRatio < 0.5 && warmRatio > 0.8, `target cache ${coldRatio} -> ${warmRatio}`);
  const redisWarm = value(warm, 'redis', 'cache_hit_ratio') as number;
  assert.ok(redisWarm > 0.8, `redis cache_hit_ratio warm ${redisWarm}`);
  assert.ok((value(warm, 'redis', 'redis_connected_clients') as number) >= 2);
  assert.ok((value(cold, 'postgres', 'pg_commits') as number) >= 0);
  assert.ok(cold.some((s) => s.metric === 'pg_connections' && s.labels?.state === 'idle' && (s.value as number) >= 1), 'the target pool idles between requests');
  assert.ok((value(warm, 'host', 'host_cpu_utilization') as number) > 0);
});
