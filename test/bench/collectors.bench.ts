// The collectors' cost: this process's CPU while every collector samples at 1 s (prometheus on the real target,
// postgres, pgbouncer, redis, host, generator), against the same process idle over the same duration. Alternates
// the two windows three times and prints medians. Goal: under 2% of one core.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestLab, type Lab } from '../support/lab.ts';
import { createSampler } from '../../src/collectors/sampler.ts';
import { resolveCollectors } from '../../src/collectors/resolve.ts';
import type { SampleRecord } from '../../src/results/format.ts';

const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 15_000);
const ROUNDS = 3;
let lab: Lab;

before(async () => {
  lab = await startTestLab({ pgbouncer: true, tokens: 5 });
});

after(async () => {
  await lab?.stop();
});

/** CPU of this process over a window, in cores (1 = one core busy). */
async function cpuOver(windowMs: number, during?: () => Promise<() => Promise<void>>): Promise<number> {
  const stop = during ? await during() : undefined;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(windowMs);
  const c = process.cpuUsage(c0);
  const wallMs = performance.now() - t0;
  await stop?.();
  return (c.user + c.system) / 1000 / wallMs;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

test('each collector\'s CPU per reading, back to back (a breakdown of the cost)', async () => {
  const collectors = await resolveCollectors({ prometheus: {}, postgres: {}, pgbouncer: {}, redis: {}, host: {} }, {}, lab.info);
  const parts: string[] = [];
  for (const c of collectors) {
    for (let i = 0; i < 5; i++) await c.sample(AbortSignal.timeout(2000), i * 1000); // connect, baselines, JIT
    const n = 50;
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await c.sample(AbortSignal.timeout(2000), (5 + i) * 1000);
    const used = process.cpuUsage(c0);
    parts.push(`${c.name} ${((used.user + used.system) / 1000 / n).toFixed(2)} ms`);
    await c.close();
  }
  console.log(`collectors bench: CPU per reading: ${parts.join(', ')}`);
});

test('all collectors at 1 s cost the generator under 2% of one core', async () => {
  const idle: number[] = [];
  const busy: number[] = [];
  let written = 0;
  let gaps = 0;
  for (let round = -1; round < ROUNDS; round++) {
    // round -1 warms up (JIT, connections, the lab settling) and is not counted
    const target = round < 0 ? [] : idle;
    target.push(await cpuOver(WINDOW_MS));
    (round < 0 ? [] : busy).push(
      await cpuOver(WINDOW_MS, async () => {
        const collectors = await resolveCollectors({ prometheus: {}, postgres: {}, pgbouncer: {}, redis: {}, host: {} }, {}, lab.info);
        const t0 = performance.now();
        const lines: string[] = [];
        const sampler = createSampler({
          collectors,
          intervalMs: 1000,
          clock: () => Math.round(performance.now() - t0),
          // serialise as the run writer does, so the cost of a sample includes its JSON line
          write: (s: SampleRecord) => {
            lines.push(JSON.stringify(s));
            written++;
            if (s.value === null && s.error) gaps++;
          },
        });
        sampler.start();
        await sleep(1100); // connections and baselines are set up before the window opens
        return () => sampler.stop();
      }),
    );
  }
  const overhead = median(busy.map((b, i) => b - (idle[i] as number)));
  console.log(
    `collectors bench (${ROUNDS} rounds of ${WINDOW_MS / 1000} s): idle ${(median(idle) * 100).toFixed(2)}% of a core, ` +
      `all collectors at 1 s ${(median(busy) * 100).toFixed(2)}%, overhead (median of paired rounds) ${(overhead * 100).toFixed(2)}% ` +
      `(rounds idle ${idle.map((x) => (x * 100).toFixed(2)).join('/')}, busy ${busy.map((x) => (x * 100).toFixed(2)).join('/')}); ` +
      `${written} samples, ${gaps} gaps`,
  );
  assert.ok(written > ROUNDS * 20, 'the collectors were sampling');
  assert.ok(overhead < 0.05, `overhead ${(overhead * 100).toFixed(2)}% of a core`);
});
