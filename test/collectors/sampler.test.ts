import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSampler } from '../../src/collectors/sampler.ts';
import type { Collector, CollectorSample } from '../../src/collectors/types.ts';
import type { SampleRecord } from '../../src/results/format.ts';

/** A collector driven by a function, for exercising the sampler's scheduling and failure handling. */
type TestCollector = Collector & { closed: boolean; calls: number };

function collector(name: string, metrics: string[], fn: (n: number, signal: AbortSignal) => Promise<CollectorSample[]>, extra: Partial<Collector> = {}): TestCollector {
  const c: TestCollector = {
    name,
    metrics,
    closed: false,
    calls: 0,
    sample(signal: AbortSignal): Promise<CollectorSample[]> {
      return fn(c.calls++, signal);
    },
    async close() {
      c.closed = true;
    },
    ...extra,
  };
  return c;
}

/** Polls until cond() holds or the deadline passes (the machine may be loaded: never rely on fixed sleeps). */
async function waitFor(cond: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond() && Date.now() < end) await sleep(10);
}

function clockFrom(start = performance.now()): () => number {
  return () => Math.round(performance.now() - start);
}

test('every collector is sampled at start and then once per interval, stamped with the run clock', async () => {
  const out: SampleRecord[] = [];
  const c = collector('a', ['m'], async (n) => [{ source: 'a', metric: 'm', value: n }]);
  const s = createSampler({ collectors: [c], intervalMs: 50, clock: clockFrom(), write: (r) => out.push(r) });
  const t0 = performance.now();
  s.start();
  await waitFor(() => out.length >= 5);
  const elapsed = performance.now() - t0;
  await s.stop();
  assert.ok(out.length >= 5 && out.length <= elapsed / 50 + 2, `ticks: ${out.length} in ${elapsed} ms`);
  assert.deepEqual(out.map((r) => r.value), out.map((_, i) => i));
  // drift-free: tick i is due at i * 50 ms; a late timer delays a tick but never the ones after it
  for (let i = 0; i < out.length; i++) assert.ok(out[i].tMs >= i * 50 - 2, `tick ${i} at ${out[i].tMs}`);
  assert.equal(c.closed, true);
});

test('a failing collector writes one gap per metric, with the error redacted, and is retried next tick', async () => {
  const out: SampleRecord[] = [];
  const bad = collector('bad', ['x', 'y'], async (n) => {
    if (n < 2) throw new Error('connect ECONNREFUSED postgres://app:s3cret@127.0.0.1:1/db');
    return [{ source: 'bad', metric: 'x', value: 1 }];
  });
  const good = collector('good', ['g'], async () => [{ source: 'good', metric: 'g', value: 1 }]);
  const s = createSampler({ collectors: [bad, good], intervalMs: 40, clock: clockFrom(), write: (r) => out.push(r) });
  s.start();
  await waitFor(() => out.some((r) => r.source === 'bad' && r.value === 1));
  await s.stop();
  const gaps = out.filter((r) => r.value === null);
  assert.equal(gaps.length, 4);
  assert.deepEqual(gaps.map((g) => g.metric).sort(), ['x', 'x', 'y', 'y']);
  for (const g of gaps) {
    assert.match(g.error ?? '', /ECONNREFUSED/);
    assert.doesNotMatch(g.error ?? '', /s3cret/);
  }
  assert.ok(out.some((r) => r.source === 'bad' && r.value === 1), 'recovered after the failures');
  assert.ok(out.filter((r) => r.source === 'good').length >= 3, 'the healthy collector is unaffected');
  assert.equal(s.stats().collectors.bad.gaps, 4);
});

test('a collector that hangs is cut off by the timeout, aborted, and does not delay the others', async () => {
  const out: SampleRecord[] = [];
  let aborted = 0;
  const hang = collector('hang', ['h'], (_n, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => {
    aborted++;
    reject(new Error('aborted'));
  })));
  const fast = collector('fast', ['f'], async () => [{ source: 'fast', metric: 'f', value: 1 }]);
  const s = createSampler({ collectors: [hang, fast], intervalMs: 100, timeoutMs: 30, clock: clockFrom(), write: (r) => out.push(r) });
  s.start();
  await waitFor(() => aborted >= 2);
  await s.stop();
  assert.ok(aborted >= 2);
  const gaps = out.filter((r) => r.source === 'hang');
  assert.ok(gaps.every((g) => g.value === null && /timed out after 30 ms|aborted/.test(g.error ?? '')));
  assert.equal(out.filter((r) => r.source === 'fast').length, gaps.length);
});

test('a collector that ignores the abort is marked overrun instead of piling up calls', async () => {
  const out: SampleRecord[] = [];
  const stuck = collector('stuck', ['s'], () => sleep(1500).then(() => []));
  const s = createSampler({ collectors: [stuck], intervalMs: 40, clock: clockFrom(), write: (r) => out.push(r) });
  s.start();
  await waitFor(() => s.stats().overruns >= 2, 1400);
  await s.stop();
  assert.equal(stuck.calls, 1);
  assert.ok(s.stats().overruns >= 2);
  assert.ok(out.some((r) => r.error === 'previous sample still running'));
});

test('stop() takes final readings, closes every collector, and a throwing writer never escapes', async () => {
  let writes = 0;
  const c = collector('c', ['m'], async () => [{ source: 'c', metric: 'm', value: 1 }], {
    finishMetrics: ['top'],
    finish: async () => [{ source: 'c', metric: 'top', value: 42 }],
  });
  const s = createSampler({
    collectors: [c],
    intervalMs: 20,
    clock: clockFrom(),
    write: (r) => {
      writes++;
      if (r.metric === 'm') throw new Error('disk full');
    },
  });
  s.start();
  await waitFor(() => s.stats().writeErrors >= 3);
  await s.stop();
  const st = s.stats();
  assert.ok(st.writeErrors >= 3);
  assert.equal(st.samples, 1, 'only the final reading was written');
  assert.equal(c.closed, true);
  assert.ok(writes >= 4);
  await s.stop();
});

test('a collector that throws synchronously is a gap, not a crash', async () => {
  const out: SampleRecord[] = [];
  const c = collector('sync', ['m'], () => {
    throw new TypeError('bad payload');
  });
  const s = createSampler({ collectors: [c], intervalMs: 1000, clock: () => 0, write: (r) => out.push(r) });
  s.start();
  await s.stop();
  assert.deepEqual(out, [{ tMs: 0, source: 'sync', metric: 'm', value: null, error: 'bad payload' }]);
});

test('a flagged null a collector returns (e.g. maxmemory not set) is a sample, not a gap', async () => {
  const out: SampleRecord[] = [];
  const c = collector('redis', ['redis_memory_utilization'], async () => [
    { source: 'redis', metric: 'redis_memory_utilization', value: null, labels: { maxmemory: 'unset' }, error: 'maxmemory not set' },
  ]);
  const s = createSampler({ collectors: [c], intervalMs: 1000, clock: () => 5, write: (r) => out.push(r) });
  s.start();
  await s.stop();
  assert.equal(out.length, 1);
  assert.deepEqual([s.stats().gaps, s.stats().samples, s.stats().collectors.redis.lastError], [0, 1, undefined]);
});
