// The testbed knob over real HTTP: a slowed route takes its factor times as long; other routes are untouched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { registerSlowRoute, slowed } from '../../src/target/slowdown.ts';

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

test('SLOW_ROUTE slows only the named route template', async () => {
  const app = Fastify();
  registerSlowRoute(app, { method: 'GET', url: '/items/:id', factor: 3 });
  app.get('/items/:id', async () => {
    await sleep(30);
    return { ok: true };
  });
  app.get('/other', async () => {
    await sleep(30);
    return { ok: true };
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const slow = await timedMs(async () => assert.equal((await fetch(`${base}/items/7`)).status, 200));
    const plain = await timedMs(async () => assert.equal((await fetch(`${base}/other`)).status, 200));
    assert.ok(slow >= 89, `slowed route took ${slow} ms`);
    assert.ok(plain < slow, `other route ${plain} ms, slowed ${slow} ms`);
  } finally {
    await app.close();
  }
});
