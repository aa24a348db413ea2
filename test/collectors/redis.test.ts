import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedis, type RedisHandle } from '../support/services.ts';
import { createRedisCollector, parseInfo, RedisDeriver } from '../../src/collectors/redis.ts';
import { createSampler } from '../../src/collectors/sampler.ts';
import type { CollectorSample } from '../../src/collectors/types.ts';
import type { SampleRecord } from '../../src/results/format.ts';

let redis: RedisHandle;
let app: Redis;

let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perfgate-redis-test-'));
  chmodSync(dir, 0o711); // the service user must reach its data folder
  redis = await startRedis({ dir: join(dir, 'data'), logFile: join(dir, 'redis.log'), appendonly: false });
  app = new Redis(redis.url, { maxRetriesPerRequest: 0, lazyConnect: true });
  app.on('error', () => undefined);
  await app.connect();
});

after(async () => {
  app?.disconnect();
  await redis?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const metric = (samples: CollectorSample[], name: string): CollectorSample | undefined => samples.find((s) => s.metric === name);

test('INFO replies parse into key/value pairs, section headers skipped', () => {
  const info = parseInfo('# Stats\r\nkeyspace_hits:10\r\nkeyspace_misses:5\r\n\r\n# Memory\r\nused_memory:100\r\n');
  assert.deepEqual([...info], [['keyspace_hits', '10'], ['keyspace_misses', '5'], ['used_memory', '100']]);
});

test('a restarted Redis (new run_id) restarts the counters instead of producing negative deltas', () => {
  const d = new RedisDeriver();
  const info = (run: string, hits: number, misses: number): Map<string, string> =>
    new Map([['run_id', run], ['keyspace_hits', String(hits)], ['keyspace_misses', String(misses)]]);
  d.derive(info('a', 1000, 1000), 0);
  assert.deepEqual(metric(d.derive(info('a', 1090, 1010), 1000), 'cache_hit_ratio'), { source: 'redis', metric: 'cache_hit_ratio', value: 0.9, num: 90, den: 100 });
  assert.equal(d.derive(info('b', 5, 0), 2000).find((s) => s.metric === 'cache_hit_ratio'), undefined, 'a new server is a new baseline');
  assert.equal(metric(d.derive(info('b', 5, 0), 3000), 'cache_hit_ratio')?.value, null, 'no lookups: ratio null');
});

test('a cold cache then a warm one: cache_hit_ratio rises above 0.8, memory, clients and ops move', async () => {
  const c = createRedisCollector({ url: redis.url });
  const sig = (): AbortSignal => AbortSignal.timeout(900);
  try {
    await c.sample(sig(), 0);
    // cold: every lookup misses, then fills the key
    for (let i = 0; i < 200; i++) {
      if ((await app.get(`company:${i}`)) === null) await app.set(`company:${i}`, 'x'.repeat(1000));
    }
    const cold = await c.sample(sig(), 1000);
    // warm: the same keys again
    for (let i = 0; i < 200; i++) await app.get(`company:${i}`);
    const warm = await c.sample(sig(), 2000);
    assert.equal(metric(cold, 'cache_hit_ratio')?.value, 0);
    assert.equal(metric(cold, 'cache_hit_ratio')?.den, 200);
    const w = metric(warm, 'cache_hit_ratio');
    assert.ok((w?.value as number) > 0.8, `warm ratio ${w?.value}`);
    assert.deepEqual([w?.num, w?.den], [200, 200]);
    const mem = metric(warm, 'redis_memory_utilization')?.value as number;
    assert.ok(mem > 0 && mem < 1, String(mem));
    assert.ok((metric(warm, 'redis_connected_clients')?.value as number) >= 2);
    assert.ok((metric(warm, 'redis_ops')?.value as number) >= 150, `ops ${metric(warm, 'redis_ops')?.value}`);
    assert.equal(metric(warm, 'redis_evicted_keys')?.value, 0);
  } finally {
    await c.close();
  }
});

test('maxmemory 0 is flagged: value null, label and error "maxmemory not set"', async () => {
  await app.config('SET', 'maxmemory', '0');
  const c = createRedisCollector({ url: redis.url });
  try {
    const s = metric(await c.sample(AbortSignal.timeout(900), 0), 'redis_memory_utilization');
    assert.deepEqual(s, { source: 'redis', metric: 'redis_memory_utilization', value: null, labels: { maxmemory: 'unset' }, error: 'maxmemory not set' });
  } finally {
    await app.config('SET', 'maxmemory', String(256 * 1024 * 1024));
    await c.close();
  }
});

test('Redis stopped mid-sampling: gaps are marked, sampling continues, and recovers when it is back', async () => {
  const out: SampleRecord[] = [];
  const t0 = performance.now();
  const s = createSampler({
    collectors: [createRedisCollector({ url: redis.url, commandTimeoutMs: 250 })],
    intervalMs: 400,
    clock: () => Math.round(performance.now() - t0),
    write: (r) => out.push(r),
  });
  const ok = (r: SampleRecord): boolean => r.metric === 'redis_connected_clients' && r.value !== null;
  const isGap = (r: SampleRecord): boolean => r.value === null && r.error !== undefined && r.error !== 'maxmemory not set';
  const waitFor = async (cond: () => boolean, deadlineMs: number): Promise<void> => {
    const end = Date.now() + deadlineMs;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  };
  let stoppedAt = 0;
  s.start();
  try {
    await waitFor(() => out.filter(ok).length >= 2, 10_000);
    stoppedAt = out.length;
    await redis.stop();
    await waitFor(() => out.slice(stoppedAt).filter(isGap).length >= 10, 10_000);
    await redis.start();
    await waitFor(() => {
      const lastGap = out.findLastIndex(isGap);
      return lastGap >= stoppedAt && out.slice(lastGap).some(ok);
    }, 15_000);
  } finally {
    await s.stop();
  }
  const gaps = out.slice(stoppedAt).filter(isGap);
  assert.ok(gaps.length >= 10, `gaps ${gaps.length}: every metric of at least two ticks`);
  assert.ok(gaps.every((g) => g.source === 'redis' && g.error?.startsWith('redis redis://:***@127.0.0.1')), gaps[0]?.error);
  assert.ok(gaps.every((g) => !g.error?.includes(redis.password)), 'the lab password never reaches a gap');
  assert.ok(out.slice(0, stoppedAt).filter(ok).length >= 2, 'samples before the outage kept');
  assert.ok(out.slice(out.indexOf(gaps.at(-1) as SampleRecord)).some(ok), 'sampling recovered');
  const ts = out.map((r) => r.tMs);
  assert.deepEqual(ts, [...ts].sort((a, b) => a - b), 'samples stay in time order');
});
