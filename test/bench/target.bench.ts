// Benchmark: the reference target as a single process (TARGET_WORKERS=0) and with 1 and 2 cluster workers, driven
// by autocannon on a cached read endpoint and on /metrics. Prints requests/s and p99 (medians of 3 runs) and the
// 2-worker/1-worker ratio. Not part of `npm test`.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import autocannon from 'autocannon';
import { startStack, type Child, type Stack } from '../target/harness.ts';
import { tickers } from '../../src/target/tools.ts';

const RUNS = 3;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = 50;

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

/** One autocannon run; returns req/s, p99 in ms, and non-2xx count. */
async function cannon(url: string, headers: Record<string, string>): Promise<{ rps: number; p99Ms: number; non2xx: number; errors: number }> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  return { rps: r.requests.average, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs each endpoint RUNS times against a target; returns the medians. */
async function measure(target: Child, token: string): Promise<Record<string, { rps: number; p99Ms: number }>> {
  const [ticker] = tickers('small');
  const endpoints: Record<string, { path: string; headers: Record<string, string> }> = {
    'cached company': { path: `/api/v1/companies/${ticker}`, headers: { authorization: `Bearer ${token}` } },
    metrics: { path: '/metrics', headers: {} },
  };
  const out: Record<string, { rps: number; p99Ms: number }> = {};
  for (const [name, e] of Object.entries(endpoints)) {
    await cannon(`${target.baseUrl}${e.path}`, e.headers); // warm-up (also fills the cache), not counted
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await cannon(`${target.baseUrl}${e.path}`, e.headers));
    const bad = runs.reduce((a, r) => a + r.non2xx + r.errors, 0);
    assert.equal(bad, 0, `${name}: ${bad} non-2xx or failed requests`);
    out[name] = { rps: median(runs.map((r) => r.rps)), p99Ms: median(runs.map((r) => r.p99Ms)) };
  }
  return out;
}

test('target throughput as one process and with 1 and 2 workers (medians of 3 runs)', async () => {
  const token = await stack.token('load');
  const one = await measure(stack.target, token);
  await stack.target.stop();
  const single = await stack.startTarget({ TARGET_WORKERS: '0' });
  const zero = await measure(single, token);
  await single.stop();
  const two = await measure(await stack.startTarget({ TARGET_WORKERS: '2' }), token);
  const rows = Object.keys(one).map((name) => ({
    endpoint: name,
    'single req/s': Math.round(zero[name]!.rps),
    'single p99 ms': zero[name]!.p99Ms,
    '1w req/s': Math.round(one[name]!.rps),
    '1w p99 ms': one[name]!.p99Ms,
    '2w req/s': Math.round(two[name]!.rps),
    '2w p99 ms': two[name]!.p99Ms,
    '2w/1w': Number((two[name]!.rps / one[name]!.rps).toFixed(2)),
  }));
  console.log(`\nautocannon, ${CONNECTIONS} connections, ${DURATION_S} s x ${RUNS} runs per cell`);
  console.table(rows);
  for (const r of rows) assert.ok(r['single req/s'] > 0 && r['1w req/s'] > 0 && r['2w req/s'] > 0);
});
