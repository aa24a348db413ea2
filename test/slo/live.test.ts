import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateRun } from '../../scripts/make-fixture-runs.ts';
import { createLiveMonitor, type LiveResult } from '../../src/slo/live.ts';
import { parseThresholds, type ThresholdInput } from '../../src/slo/grammar.ts';
import type { IntervalRecord } from '../../src/results/format.ts';
import type { RunData } from '../../src/results/read.ts';
import { fixture, hdrPercentileMs } from './support.ts';

/** Replays a run through a live monitor, one interval at a time with the samples collected by its end. */
function replay(data: RunData, thresholds: Record<string, ThresholdInput[]>): { result: LiveResult; calls: number } {
  const monitor = createLiveMonitor(parseThresholds(thresholds), { phases: data.run.phases });
  const byT = new Map<number, IntervalRecord[]>();
  for (const r of data.intervals) byT.set(r.tMs, [...(byT.get(r.tMs) ?? []), r]);
  let given = 0;
  let calls = 0;
  for (const [tMs, records] of [...byT.entries()].sort((a, b) => a[0] - b[0])) {
    const end = tMs + 1000;
    const samples = data.samples.filter((s) => s.tMs <= end).slice(given);
    given += samples.length;
    calls++;
    const result = monitor.onInterval(records, samples);
    if (result.abort) return { result, calls };
  }
  return { result: {}, calls };
}

/** The first interval end at or after delayMs where the cumulative raw p95 reaches limitMs (computed from raw data). */
function expectedAbortMs(kind: 'fail', limitMs: number, delayMs: number): number | undefined {
  const raw = generateRun(kind).raw;
  for (let end = 1000; end <= 120_000; end += 1000) {
    if (end < delayMs) continue;
    const values = raw.filter((r) => r.tMs < end).flatMap((r) => [...r.okMs, ...r.failMs]);
    const p95 = hdrPercentileMs(values, 95);
    if (p95 !== null && !(p95 < limitMs)) return end;
  }
  return undefined;
}

test('abortOnFail aborts at the first interval where the cumulative p95 breaches, naming the threshold', async () => {
  const data = await fixture('fail');
  const { result } = replay(data, { http_req_duration: [{ threshold: 'p(95)<200', abortOnFail: true, delayAbortEval: '10s' }] });
  const want = expectedAbortMs('fail', 200, 10_000);
  assert.ok(want !== undefined && want > 60_000, `the knee is after 60 s (${want})`);
  assert.equal(result.atMs, want);
  assert.match(result.abort ?? '', /^threshold http_req_duration p\(95\)<200: observed \d+(\.\d+)? ms .* failed at \d+ s \(abortOnFail\)$/);
  assert.equal(result.entry?.aborted, true);
  assert.equal(result.entry?.pass, false);
});

test('delayAbortEval holds the abort back until its time has passed', async () => {
  const data = await fixture('fail');
  const early = expectedAbortMs('fail', 30, 0);
  assert.ok(early !== undefined && early < 20_000, 'p(95)<30 fails from the first seconds');
  const { result } = replay(data, { http_req_duration: [{ threshold: 'p(95)<30', abortOnFail: true, delayAbortEval: '45s' }] });
  assert.equal(result.atMs, 45_000);
});

test('a passing run never aborts, and failing thresholds without abortOnFail never abort', async () => {
  const pass = await fixture('pass');
  const a = replay(pass, { http_req_duration: [{ threshold: 'p(95)<200', abortOnFail: true }], http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true }] });
  assert.equal(a.result.abort, undefined);
  assert.equal(a.calls, 120);
  const fail = await fixture('fail');
  const b = replay(fail, { http_req_duration: ['p(95)<1'], db_pool_utilization: [{ threshold: 'max<0.1', abortOnFail: false }] });
  assert.equal(b.result.abort, undefined);
});

test('server thresholds abort live too: pool utilisation aborts at the first sample above the limit', async () => {
  const data = await fixture('fail');
  const first = data.samples.find((s) => s.metric === 'db_pool_utilization' && (s.value ?? 0) > 0.9);
  assert.ok(first);
  const { result } = replay(data, { db_pool_utilization: [{ threshold: 'max<0.9', abortOnFail: true }] });
  assert.equal(result.atMs, first.tMs);
  assert.match(result.abort ?? '', /db_pool_utilization max<0.9: observed 9\d(\.\d+)?%/);
});

test('rates abort on the data so far, and the monitor keeps answering the same abort afterwards', async () => {
  const data = await fixture('fail');
  const monitor = createLiveMonitor(parseThresholds({ http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '5s' }] }), { phases: data.run.phases });
  let failed = 0;
  let count = 0;
  let abortAt: number | undefined;
  let last: LiveResult = {};
  for (let t = 0; t < 120_000 && !last.abort; t += 1000) {
    const records = data.intervals.filter((r) => r.tMs === t);
    for (const r of records) if (r.type === 'req') {
      failed += r.failed;
      count += r.count;
    }
    last = monitor.onInterval(records);
    if (abortAt === undefined && t + 1000 >= 5000 && count > 0 && failed / count >= 0.01) abortAt = t + 1000;
  }
  assert.equal(last.atMs, abortAt);
  assert.deepEqual(monitor.onInterval([]), last);
});
