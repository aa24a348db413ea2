import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { startLoad } from '../../src/engine/load-runner.ts';
import { Engine } from '../../src/engine/engine.ts';
import { compilePlan } from '../../src/engine/plan.ts';
import { guardTarget } from '../../src/engine/host-guard.ts';
import type { IntervalRecord, RequestIntervalRecord, TickIntervalRecord } from '../../src/results/format.ts';
import type { ScenarioDefinition } from '../../src/scenario/types.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';

let server: TestServer;
before(async () => {
  server = await startJsonServer();
});
after(async () => {
  await server.close();
});

const INTERVAL_MS = 100;
/** Where `begin` lands relative to an interval boundary, ms: both sides of it. */
const OFFSETS_MS = [-3, -1, -0.3, 0.3, 1, 3];
/** A bound on how long one repetition may take. */
const REPETITION_TIMEOUT_MS = 10_000;

function scenario(): ScenarioDefinition {
  return {
    name: 'w', target: { baseUrl: server.url },
    load: { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '500ms', preAllocatedVUs: 20, maxVUs: 20 },
    journeys: [{ name: 'j', steps: [{ name: 'root', path: '/' }] }],
  };
}

/** Busy-waits (bounded) until the clock reads `atMs`; a timer is far too coarse to land within a millisecond of it. */
function spinUntil(clock: () => number, atMs: number): void {
  const limit = performance.now() + 1000;
  while (clock() < atMs && performance.now() < limit);
}

function counts(records: IntervalRecord[]): { requests: number; dropped: number; ticks: number[] } {
  const reqs = records.filter((r): r is RequestIntervalRecord => r.type === 'req');
  const ticks = records.filter((r): r is TickIntervalRecord => r.type === 'tick');
  return { requests: reqs.reduce((a, r) => a + r.count, 0), dropped: ticks.reduce((a, t) => a + t.droppedIterations, 0), ticks: ticks.map((t) => t.tMs) };
}

/** Starts a sharded load, begins it `offsetMs` from the next interval boundary, and returns its merged records. */
async function runSharded(workers: number, offsetMs: number): Promise<IntervalRecord[]> {
  const def = scenario();
  const target = await guardTarget(def.target.baseUrl);
  const t0EpochMs = performance.timeOrigin + performance.now();
  const clock = () => performance.timeOrigin + performance.now() - t0EpochMs;
  const records: IntervalRecord[] = [];
  const load = await startLoad({ def, target, globals: {}, t0EpochMs, baseDir: '.', seed: 1, intervalMs: INTERVAL_MS }, workers, {
    onRecords: (rs) => records.push(...rs),
    onError: () => {},
  });
  const boundary = (Math.floor(clock() / INTERVAL_MS) + 2) * INTERVAL_MS;
  spinUntil(clock, boundary + offsetMs);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), REPETITION_TIMEOUT_MS)));
  const outcome = await Promise.race([load.begin(clock()), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    load.kill();
    assert.fail(`${workers} workers, begin ${offsetMs} ms from a boundary: the load did not end within ${REPETITION_TIMEOUT_MS} ms`);
  }
  return records;
}

for (const workers of [2, 4]) {
  test(`${workers} workers begun on either side of an interval boundary count every scheduled request, every time`, async () => {
    for (const offsetMs of OFFSETS_MS) {
      const { requests, dropped, ticks } = counts(await runSharded(workers, offsetMs));
      const what = `${workers} workers, begin ${offsetMs} ms from a boundary`;
      assert.equal(requests + dropped, 50, `${what}: ${requests} requests and ${dropped} dropped of 50 scheduled`);
      assert.ok(requests > 0, `${what}: requests were recorded`);
      assert.deepEqual(ticks, [...new Set(ticks)].sort((a, b) => a - b), `${what}: one merged tick per interval, in order`);
      for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i]! - ticks[i - 1]!, INTERVAL_MS, `${what}: no interval is missing`);
    }
  });
}

test('an engine begun after the boundary that follows its load start still starts on the load start\'s interval', async () => {
  const def = scenario();
  const target = await guardTarget(def.target.baseUrl);
  const records: IntervalRecord[] = [];
  const engine = new Engine({ def, plan: compilePlan(def, target), target, globals: {}, t0EpochMs: performance.timeOrigin + performance.now(), intervalMs: INTERVAL_MS, onRecords: (rs) => records.push(...rs) });
  const loadStartMs = (Math.floor(engine.now() / INTERVAL_MS) + 1) * INTERVAL_MS - 1;
  spinUntil(() => engine.now(), loadStartMs + 2);
  await engine.run(loadStartMs);
  const ticks = counts(records).ticks;
  assert.equal(ticks[0], loadStartMs + 1 - INTERVAL_MS, 'the first interval holds the load start, not the moment run() was called');
});
