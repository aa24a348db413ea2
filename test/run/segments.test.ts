import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDir } from '../../src/results/read.ts';
import { mergeRunDirs } from '../../src/run/merge-run-dirs.ts';
import { checkRunDir } from '../../src/run/check-run-dir.ts';
import { aggregateClient } from '../../src/metrics/aggregate.ts';
import type { IntervalRecord, RequestIntervalRecord } from '../../src/results/format.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';
import { runCli } from '../support/cli.ts';

let server: TestServer;
let dir: string;
before(async () => {
  server = await startJsonServer();
  dir = mkdtempSync(join(tmpdir(), 'perfgate-segments-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const RATE_PER_S = 60;
const DURATION_S = 6;

/** Requests per interval counted from the load's start (the interval holding it is 0). */
function perSecond(intervals: IntervalRecord[], loadStartMs: number): number[] {
  const out: number[] = [];
  for (const r of intervals) {
    if (r.type !== 'req') continue;
    const k = Math.floor((r.tMs - Math.floor(loadStartMs / 1000) * 1000) / 1000);
    out[k] = (out[k] ?? 0) + r.count;
  }
  return Array.from(out, (n) => n ?? 0);
}

test('three processes on the segments of 0,1/3,2/3,1, merged, run the one-process schedule: same counts, p95 and verdict', async () => {
  // scenario -> 3 segment processes + 1 whole process, all --start-at the same moment -> merge -> compare
  const file = join(dir, 'seg.json');
  writeFileSync(file, JSON.stringify({
    name: 'seg', target: { baseUrl: server.url },
    load: { executor: 'constant-arrival-rate', rate: RATE_PER_S, timeUnit: '1s', duration: `${DURATION_S}s`, preAllocatedVUs: 30, maxVUs: 90 },
    journeys: [{ name: 'get', steps: [{ name: 'slow', method: 'GET', path: '/slow/20' }] }],
    thresholds: { http_req_duration: ['p(95)<500'], http_req_failed: ['rate<0.01'] },
  }));
  // Far enough ahead for four CLI processes to start at once: four times one start on this machine now, and 5 s.
  const t0 = Date.now();
  const probe = await runCli(['run', '--help'], { cwd: dir });
  assert.equal(probe.code, 0, probe.stderr);
  const leadMs = 4 * (Date.now() - t0) + 5000;
  const startAt = new Date(Math.ceil((Date.now() + leadMs) / 1000) * 1000 + 250).toISOString();
  const common = ['--start-at', startAt, '--quiet', '--no-report'];
  const segments = ['0:1/3', '1/3:2/3', '2/3:1'];
  const runs = await Promise.all([
    ...segments.map((s, i) => runCli(['run', file, '--out', join(dir, `part-${i}`), '--execution-segment', s, '--execution-segment-sequence', '0,1/3,2/3,1', ...common], { cwd: dir, timeoutMs: 60_000 })),
    runCli(['run', file, '--out', join(dir, 'whole'), ...common], { cwd: dir, timeoutMs: 60_000 }),
  ]);
  runs.forEach((r, i) => assert.equal(r.code, 0, `process ${i}: ${r.stderr}`));
  const parts = await Promise.all(segments.map((_, i) => readRunDir(join(dir, `part-${i}`))));
  for (const p of parts) assert.equal(p.run.startedAt.slice(-5, -1), startAt.slice(-5, -1), 'each clock origin is a whole number of seconds before --start-at');
  assert.deepEqual(parts.map((p) => p.run.executionSegment?.segment), segments);
  const { dir: mergedDir } = await mergeRunDirs(parts.map((p) => p.dir), join(dir, 'merged'));
  const merged = await readRunDir(mergedDir);
  const whole = await readRunDir(join(dir, 'whole'));
  assert.equal(merged.run.parts?.length, 3);
  assert.equal(merged.run.load.peakVUs, whole.run.load.peakVUs, 'the parts\' VU shares add up to the whole');

  const total = (d: { intervals: IntervalRecord[] }) => d.intervals.reduce((n, r) => n + (r.type === 'req' ? (r as RequestIntervalRecord).count : 0), 0);
  assert.equal(total(whole), RATE_PER_S * DURATION_S, 'the whole process runs the schedule');
  assert.equal(total(merged), RATE_PER_S * DURATION_S, 'the segments run the same arrivals, none twice, none left out');
  const counts = parts.map(total);
  for (const c of counts) assert.equal(c, (RATE_PER_S * DURATION_S) / 3, `each third runs a third (${counts.join(', ')})`);

  const a = perSecond(merged.intervals, Date.parse(startAt) - Date.parse(merged.run.startedAt));
  const b = perSecond(whole.intervals, Date.parse(startAt) - Date.parse(whole.run.startedAt));
  assert.equal(a.length, b.length, `intervals: ${a.join(' ')} / ${b.join(' ')}`);
  a.forEach((n, k) => assert.ok(Math.abs(n - b[k]!) <= 1, `second ${k}: merged ${n}, one process ${b[k]} (${a.join(' ')} / ${b.join(' ')})`));

  const p95 = (d: { intervals: IntervalRecord[] }) => aggregateClient(d.intervals, 'http_req_duration', {}, { fromMs: 0, toMs: Infinity }).get({ kind: 'p', p: 95 })!;
  assert.ok(Math.abs(p95(merged) - p95(whole)) <= 0.05 * p95(whole), `p95: merged ${p95(merged)} ms, one process ${p95(whole)} ms`);
  const { verdict } = await checkRunDir(mergedDir, { markdown: false });
  assert.equal(verdict.status, whole.verdict?.status);
  assert.equal(verdict.status, 'pass');
});
