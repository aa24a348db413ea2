import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IntervalRecord } from '../../src/results/format.ts';
import { createHistogram, encodeHistogram, recordLatencyUs } from '../../src/metrics/histogram.ts';
import { clientSeries } from '../../src/report/series.ts';
import { latencyCaption } from '../../src/report/specs/client.ts';
import { windowCandidatesMs } from '../../src/report/percentile-windows.ts';
import type { ReportModel } from '../../src/report/model.ts';

/** One request record per second for durationS seconds; latencyMs(second, k) gives request k's latency. */
function run(ratePerS: number, durationS: number, latencyMs: (second: number, k: number) => number): IntervalRecord[] {
  const out: IntervalRecord[] = [];
  for (let s = 0; s < durationS; s++) {
    const h = createHistogram();
    for (let k = 0; k < ratePerS; k++) recordLatencyUs(h, latencyMs(s, k) * 1000);
    out.push({ type: 'req', tMs: s * 1000, intervalMs: 1000, name: 'api', method: 'GET', phase: 'steady', count: ratePerS, failed: 0, statuses: { '200': ratePerS }, errors: {}, okHist: encodeHistogram(h), failHist: '', bytesIn: 0, bytesOut: 0, checksPassed: 0, checksFailed: 0 });
  }
  return out;
}

/** Latencies spread evenly over 10..110 ms within every second: the true p50 is 60 ms, p95 105 ms, p99 109 ms. */
const uniform = (rate: number) => (_s: number, k: number): number => 10 + (100 * (k + 0.5)) / rate;

const CASES = [
  // p50 needs 20 requests, p95 200, p99 1,000 (n * min(q, 1 - q) >= 10)
  { name: '10 req/s', rate: 10, windows: { p50: 2000, p95: 30_000, p99: 60_000 }, sparse: ['p99'], caption: /^p50 over 2 s windows, p95 over 30 s windows and p99 over 60 s windows: about 10 requests a second.*read p99 as rough even so: most of its windows hold fewer than the 1,000 requests it needs\.$/ },
  { name: '1000 req/s', rate: 1000, windows: { p50: 1000, p95: 1000, p99: 1000 }, sparse: [], caption: undefined },
] as const;

for (const c of CASES) {
  test(`percentile windows at ${c.name}: each series over the narrowest window where most windows hold enough requests`, () => {
    const series = clientSeries(run(c.rate, 120, uniform(c.rate)), 120_000);
    const got = Object.fromEntries(series.latencyWindows.map((w) => [w.series, w.windowMs]));
    assert.deepEqual(got, c.windows);
    assert.deepEqual(series.latencyWindows.filter((w) => w.sparse).map((w) => w.series), [...c.sparse]);
    for (const [name, windowMs] of Object.entries(c.windows)) {
      const rows = series.latency.filter((r) => r.series === name);
      assert.equal(rows.length, 120_000 / windowMs, `${name}: one point per window`);
      assert.ok(rows.every((r) => r.tMs % windowMs === 0), `${name}: points on window starts`);
    }
    // the truth: p95 of 10..110 ms is 105 ms; HDR keeps 3 significant digits
    for (const r of series.latency.filter((x) => x.series === 'p95')) assert.ok(Math.abs(r.valueMs - 105) / 105 < 0.02, `p95 at ${r.tMs}: ${r.valueMs}`);
    const caption = latencyCaption({ client: series } as ReportModel);
    if (c.caption === undefined) assert.equal(caption, undefined);
    else assert.match(caption ?? '', c.caption);
  });
}

test('a widened window merges histograms, never averages percentiles', () => {
  // 10 req/s, seconds alternating all 10 ms and all 100 ms: half the requests are slow, so every 30 s window's true
  // p95 is 100 ms; the mean of per-second p95s would be 55 ms
  const series = clientSeries(run(10, 120, (s) => (s % 2 === 0 ? 10 : 100)), 120_000);
  const p95 = series.latency.filter((r) => r.series === 'p95');
  assert.equal(p95.length, 4);
  for (const r of p95) assert.ok(Math.abs(r.valueMs - 100) < 1, `p95 at ${r.tMs}: ${r.valueMs}`);
});

test('window candidates are the ladder rounded up to whole chart buckets', () => {
  assert.deepEqual(windowCandidatesMs(1000), [1000, 2000, 5000, 10_000, 30_000, 60_000]);
  assert.deepEqual(windowCandidatesMs(3000), [3000, 6000, 12_000, 30_000, 60_000]);
  assert.deepEqual(windowCandidatesMs(100_000), [100_000]);
});
