import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Gauge, Histogram, Registry } from 'prom-client';
import { startPostgres, type PostgresHandle } from '../support/services.ts';
import { createPrometheusCollector } from '../../src/collectors/prometheus.ts';
import { createSampler } from '../../src/collectors/sampler.ts';
import type { SampleRecord } from '../../src/results/format.ts';

// A real pg Pool against a real PostgreSQL, its gauges and query histogram served by prom-client over HTTP,
// with a switch that makes /metrics answer garbage, a 500, or hang.
let dir: string;
let postgres: PostgresHandle;
let pool: pg.Pool;
let server: Server;
let url: string;
let mode: 'ok' | 'garbage' | 'error' | 'hang' = 'ok';
const POOL_MAX = 4;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perfgate-prom-test-'));
  chmodSync(dir, 0o711);
  postgres = await startPostgres({ dataDir: join(dir, 'data'), logFile: join(dir, 'pg.log'), unsafeNoFsync: true });
  pool = new pg.Pool({ connectionString: postgres.databaseUrl, max: POOL_MAX });
  pool.on('error', () => undefined);
  const registry = new Registry();
  const gauge = (name: string, read: () => number): void => {
    new Gauge({ name, help: name, registers: [registry], collect() { this.set(read()); } });
  };
  gauge('db_pool_total', () => pool.totalCount);
  gauge('db_pool_idle', () => pool.idleCount);
  gauge('db_pool_waiting', () => pool.waitingCount);
  gauge('db_pool_max', () => POOL_MAX);
  const queryDuration = new Histogram({ name: 'db_query_duration_seconds', help: 'q', labelNames: ['query'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  const original = pool.query.bind(pool) as (text: string) => Promise<unknown>;
  (pool as unknown as { timedQuery: (name: string, text: string) => Promise<unknown> }).timedQuery = async (name, text) => {
    const end = queryDuration.startTimer({ query: name });
    try {
      return await original(text);
    } finally {
      end();
    }
  };
  server = createServer((req, res) => {
    if (mode === 'hang') return; // never answers
    if (mode === 'error') {
      res.writeHead(500).end('internal error');
      return;
    }
    if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
      return;
    }
    void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});

after(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await pool?.end().catch(() => undefined);
  await postgres?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const timed = (name: string, text: string): Promise<unknown> =>
  (pool as unknown as { timedQuery: (name: string, text: string) => Promise<unknown> }).timedQuery(name, text);

test('a pool saturated by slow queries shows utilisation 1 and waiting clients; query p95 follows pg_sleep', async () => {
  const c = createPrometheusCollector({ url });
  try {
    const idle = await c.sample(AbortSignal.timeout(900), 0);
    assert.equal(idle.find((s) => s.metric === 'db_pool_utilization')?.value, 0);
    const slow = Array.from({ length: 12 }, () => timed('sleep', 'SELECT pg_sleep(0.6)'));
    // wait until the pool has opened its connections (slow on a loaded machine), then scrape
    for (let i = 0; i < 100 && !(pool.totalCount === POOL_MAX && pool.idleCount === 0); i++) await sleep(20);
    const busy = await c.sample(AbortSignal.timeout(900), 1000);
    assert.equal(busy.find((s) => s.metric === 'db_pool_utilization')?.value, 1);
    assert.equal(busy.find((s) => s.metric === 'db_pool_waiting')?.value, 12 - POOL_MAX);
    await Promise.all(slow);
    const done = await c.sample(AbortSignal.timeout(900), 2000);
    const q = done.find((s) => s.metric === 'db_query_duration');
    assert.equal(q?.buckets?.at(-1)?.[1], 12, 'every query of the interval is in the +Inf bucket');
    // pool wait included: 4 queries take >= 0.6 s, 4 >= 1.2 s, 4 >= 1.8 s: the p95 is above the 1 s bound
    assert.ok((q?.value as number) > 1000, `p95 ${q?.value}`);
    assert.equal(q?.buckets?.find(([le]) => le === 500)?.[1], 0, 'no query was faster than its pg_sleep');
    assert.equal(done.find((s) => s.metric === 'db_pool_waiting')?.value, 0);
  } finally {
    await c.close();
  }
});

test('/metrics answering garbage, a 500 or nothing: gaps are marked, sampling continues, and deltas resume', async () => {
  const out: SampleRecord[] = [];
  const t0 = performance.now();
  const s = createSampler({ collectors: [createPrometheusCollector({ url })], intervalMs: 200, clock: () => Math.round(performance.now() - t0), write: (r) => out.push(r) });
  const waitFor = async (cond: () => boolean, deadlineMs = 8000): Promise<void> => {
    const end = Date.now() + deadlineMs;
    while (!cond() && Date.now() < end) await sleep(20);
  };
  const okCount = (): number => out.filter((r) => r.metric === 'db_pool_utilization' && r.value !== null).length;
  const expected = { garbage: /bad payload/, error: /HTTP 500/, hang: /timed out|abort/i } as const;
  s.start();
  try {
    await waitFor(() => okCount() >= 2);
    for (const m of ['garbage', 'error', 'hang'] as const) {
      mode = m;
      await waitFor(() => out.some((r) => r.value === null && expected[m].test(r.error ?? '')));
    }
    mode = 'ok';
    await timed('one', 'SELECT 1');
    const before = okCount();
    await waitFor(() => okCount() >= before + 2);
  } finally {
    mode = 'ok';
    await s.stop();
  }
  const gaps = out.filter((r) => r.value === null && r.error);
  const errors = new Set(gaps.map((g) => g.error?.replace(/http:\/\/127\.0\.0\.1:\d+/, 'URL')));
  assert.ok([...errors].some((e) => /^bad payload from URL\/metrics: line 1/.test(e ?? '')), [...errors].join(' | '));
  assert.ok([...errors].some((e) => /HTTP 500/.test(e ?? '')), [...errors].join(' | '));
  assert.ok([...errors].some((e) => /timed out|abort/i.test(e ?? '')), [...errors].join(' | '));
  const firstGap = out.indexOf(gaps[0]);
  assert.ok(out.slice(0, firstGap).filter((r) => r.metric === 'db_pool_utilization' && r.value !== null).length >= 2, 'samples before the faults kept');
  const afterFaults = out.slice(out.indexOf(gaps.at(-1) as SampleRecord));
  assert.ok(afterFaults.some((r) => r.metric === 'db_pool_utilization' && r.value === 0), 'recovered');
  const q = afterFaults.filter((r) => r.metric === 'db_query_duration');
  assert.ok(q.length > 0 && q.reduce((n, r) => n + (r.buckets?.at(-1)?.[1] as number), 0) === 1, 'the query after recovery is counted once');
});
