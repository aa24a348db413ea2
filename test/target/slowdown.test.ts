// The testbed knob over real HTTP: a slowed route takes its factor times as long; other routes are untouched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { registerSlowRoute, slowed, slowRouteWaitMs, type SlowRoute } from '../../src/target/slowdown.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function timedMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

test('slowed() makes a call take its factor times as long', async () => {
  const ms = await timedMs(() => slowed(2, () => sleep(40)));
  assert.ok(ms >= 79, `took ${ms} ms`);
  assert.equal(await slowed(1, async () => 7), 7);
  await assert.rejects(slowed(2, () => Promise.reject(new Error('boom'))), /boom/);
});

/** Times one request to the slowed route and one to another, over real HTTP, each route doing `workMs` of waiting first. */
async function slowAndPlainMs(rule: SlowRoute, workMs: number): Promise<{ slow: number; plain: number }> {
  const app = Fastify();
  registerSlowRoute(app, rule);
  for (const path of ['/items/:id', '/other']) {
    app.get(path, async () => {
      if (workMs > 0) await sleep(workMs);
      return { ok: true };
    });
  }
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const slow = await timedMs(async () => assert.equal((await fetch(`${base}/items/7`)).status, 200));
    const plain = await timedMs(async () => assert.equal((await fetch(`${base}/other`)).status, 200));
    return { slow, plain };
  } finally {
    await app.close();
  }
}

test('SLOW_ROUTE slows only the named route template', async () => {
  const { slow, plain } = await slowAndPlainMs({ method: 'GET', url: '/items/:id', factor: 3 }, 30);
  assert.ok(slow >= 89, `slowed route took ${slow} ms`);
  assert.ok(plain < slow, `other route ${plain} ms, slowed ${slow} ms`);
});

test('the wait is (factor - 1) x the time so far, or the fixed added delay whatever the time', () => {
  const route = { method: 'GET', url: '/x' };
  const cases: Array<[Parameters<typeof slowRouteWaitMs>[0], number, number]> = [
    [{ ...route, factor: 1.3 }, 10, 3],
    [{ ...route, factor: 2 }, 0, 0],
    [{ ...route, addMs: 2.5 }, 0, 2.5],
    [{ ...route, addMs: 2.5 }, 100, 2.5],
  ];
  for (const [rule, elapsed, want] of cases) assert.ok(Math.abs(slowRouteWaitMs(rule, elapsed) - want) < 1e-9, JSON.stringify({ rule, elapsed }));
});

test('SLOW_ROUTE with an added delay holds the route\'s responses that long over real HTTP', async () => {
  const { slow, plain } = await slowAndPlainMs({ method: 'GET', url: '/items/:id', addMs: 60 }, 0);
  assert.ok(slow >= 59, `slowed route took ${slow} ms`);
  assert.ok(plain < slow, `other route ${plain} ms, slowed ${slow} ms`);
});
