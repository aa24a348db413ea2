// The iteration-count executors against a loopback server that counts every request: shared-iterations runs exactly
// `iterations` in all, per-vu-iterations exactly `iterations` per VU, and maxDuration cuts the work short with the
// unstarted iterations counted as dropped_iterations, as k6 defines them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { runEngine } from '../support/engine-run.ts';
import { iterationShares } from '../../src/engine/iterations-model.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import type { LoadOptions, ScenarioDefinition } from '../../src/scenario/types.ts';

let server: Server;
let baseUrl = '';
/** Requests seen, per VU (the `vu` query parameter), and their `iter` values in arrival order. */
const seen = new Map<string, string[]>();

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const vu = url.searchParams.get('vu') ?? '?';
    seen.set(vu, [...(seen.get(vu) ?? []), url.searchParams.get('iter') ?? '?']);
    const delayMs = Number(url.searchParams.get('delay') ?? 0);
    setTimeout(() => res.end('{}'), delayMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

function scenario(load: LoadOptions, path = '/?vu={{__VU}}&iter={{__ITER}}'): ScenarioDefinition {
  return validateScenario({ name: 'it', target: { baseUrl }, load, journeys: [{ name: 'j', steps: [{ name: 'hit', path }] }] });
}

const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test('shared-iterations runs exactly its iterations in all, shared by its VUs, and ends when they are done', async () => {
  seen.clear();
  const t0 = performance.now();
  const { reqs, ticks } = await runEngine(scenario({ executor: 'shared-iterations', vus: 3, iterations: 25, maxDuration: '30s' }));
  const elapsedMs = performance.now() - t0;
  assert.equal(total([...seen.values()].map((v) => v.length)), 25, 'requests the server saw');
  assert.deepEqual([...seen.keys()].sort(), ['1', '2', '3'], 'every VU took part');
  assert.equal(total(ticks.map((t) => t.iterations)), 25, 'iterations');
  assert.equal(total(reqs.map((r) => r.count)), 25, 'http_reqs');
  assert.equal(total(ticks.map((t) => t.droppedIterations)), 0);
  assert.equal(Math.max(...ticks.map((t) => t.vusMax)), 3);
  assert.ok(elapsedMs < 10_000, `ended when the work was done, not at maxDuration (${Math.round(elapsedMs)} ms)`);
});

test('per-vu-iterations runs exactly its iterations on every VU: vus x iterations in all', async () => {
  seen.clear();
  const { ticks } = await runEngine(scenario({ executor: 'per-vu-iterations', vus: 4, iterations: 5, maxDuration: '30s' }));
  assert.deepEqual([...seen.keys()].sort(), ['1', '2', '3', '4']);
  for (const [vu, iters] of seen) assert.deepEqual(iters, ['0', '1', '2', '3', '4'], `VU ${vu}`);
  assert.equal(total(ticks.map((t) => t.iterations)), 20);
  assert.equal(total(ticks.map((t) => t.droppedIterations)), 0);
});

test('maxDuration stops the work: iterations not started count as dropped_iterations, gracefulStop 0 abandons the rest', async () => {
  seen.clear();
  const t0 = performance.now();
  const def = scenario({ executor: 'shared-iterations', vus: 2, iterations: 50, maxDuration: '1s', gracefulStop: '0s' }, '/?vu={{__VU}}&delay=150');
  const { ticks } = await runEngine(def);
  const elapsedMs = performance.now() - t0;
  const completed = total(ticks.map((t) => t.iterations));
  const dropped = total(ticks.map((t) => t.droppedIterations));
  const started = total([...seen.values()].map((v) => v.length));
  assert.ok(completed >= 2 && completed <= 14, `completed ${completed} iterations of 150 ms on 2 VUs in 1 s`);
  // Every iteration is completed, interrupted (at most one per VU) or dropped.
  assert.ok(completed + dropped >= 48 && completed + dropped <= 50, `completed ${completed} + dropped ${dropped}`);
  assert.ok(started + dropped >= 48 && started + dropped <= 50, `the server saw ${started}; dropped ${dropped}`);
  assert.ok(dropped > 0);
  assert.ok(elapsedMs < 4000, `stopped at maxDuration (${Math.round(elapsedMs)} ms)`);
});

test('iterations are dealt to the VUs of every shard, so sharded shares add up to the total', () => {
  const shared = { executor: 'shared-iterations', vus: 3, iterations: 10 } as const;
  assert.deepEqual(iterationShares(shared, { index: 0, count: 1 }), [4, 3, 3]);
  assert.deepEqual(iterationShares(shared, { index: 0, count: 2 }), [4, 3]);
  assert.deepEqual(iterationShares(shared, { index: 1, count: 2 }), [3]);
  assert.deepEqual(iterationShares(shared, { index: 3, count: 4 }), [], 'a shard without a VU gets no iteration');
  const perVu = { executor: 'per-vu-iterations', vus: 5, iterations: 2 } as const;
  assert.deepEqual(iterationShares(perVu, { index: 1, count: 2 }), [2, 2]);
});
