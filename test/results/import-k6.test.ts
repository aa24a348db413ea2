import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { importK6 } from '../../src/run/import-k6.ts';
import { mergeRunDirs } from '../../src/run/merge-run-dirs.ts';
import { readRunDir } from '../../src/results/read.ts';
import { aggregateClient } from '../../src/metrics/aggregate.ts';
import { ConfigError } from '../../src/errors.ts';
import { checkRunDir } from '../../src/run/check-run-dir.ts';
import type { IntervalRecord, RequestIntervalRecord, TickIntervalRecord } from '../../src/results/format.ts';
import { k6Output, nearestRank, type K6Output } from '../support/k6-json.ts';

const ALL = { fromMs: 0, toMs: Infinity };

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-k6-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function importLines(dir: string, name: string, lines: string[][], opts: { gzip?: boolean } = {}): Promise<Awaited<ReturnType<typeof readRunDir>>> {
  const files = lines.map((l, i) => {
    const path = join(dir, `${name}-${i}.json${opts.gzip ? '.gz' : ''}`);
    const text = `${l.join('\n')}\n`;
    writeFileSync(path, opts.gzip ? gzipSync(text) : text);
    return path;
  });
  const { dir: out } = await importK6({ files, out: join(dir, `${name}-run`), cwd: dir, env: {} });
  return readRunDir(out);
}

/** Records in a canonical order, on absolute time, without what differs by construction (ids, record order). */
function canonical(startedAt: string, intervals: IntervalRecord[]): string[] {
  const base = Date.parse(startedAt);
  return intervals
    .map((r) => ({ ...r, tMs: r.tMs + base }))
    .map((r) => sortedJson(r))
    .sort();
}

/** JSON with every object's keys sorted, at any depth. */
function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function assertCounts(out: K6Output, intervals: IntervalRecord[]): void {
  const reqs = intervals.filter((r): r is RequestIntervalRecord => r.type === 'req');
  for (const name of ['list', 'item', 'create']) {
    const ref = out.requests.filter((r) => r.name === name);
    const mine = reqs.filter((r) => r.name === name);
    const sum = (f: (r: RequestIntervalRecord) => number) => mine.reduce((a, r) => a + f(r), 0);
    assert.equal(sum((r) => r.count), ref.length, `${name}: http_reqs`);
    assert.equal(sum((r) => r.failed), ref.filter((r) => r.failed).length, `${name}: http_req_failed`);
    for (const status of [200, 201, 429, 500]) {
      assert.equal(sum((r) => r.statuses[String(status)] ?? 0), ref.filter((r) => r.status === status).length, `${name}: status ${status}`);
    }
    for (const cls of ['timeout', 'econnrefused', 'rate_limited', 'http_5xx'] as const) {
      assert.equal(sum((r) => r.errors[cls] ?? 0), ref.filter((r) => r.errorClass === cls).length, `${name}: ${cls}`);
    }
    const byName = out.checks.byName[name] ?? { passed: 0, failed: 0 };
    assert.deepEqual([sum((r) => r.checksPassed), sum((r) => r.checksFailed)], [byName.passed, byName.failed], `${name}: checks`);
    for (const p of [50, 95, 99]) {
      const want = nearestRank(ref.map((r) => r.durationMs), p);
      const got = aggregateClient(intervals, 'http_req_duration', { name }, ALL).get({ kind: 'p', p })!;
      assert.ok(Math.abs(got - want) <= want * 0.001 + 0.001, `${name} p(${p}): ${got} ms, the sorted values say ${want} ms`);
    }
    const waiting = nearestRank(ref.filter((r) => r.status > 0).map((r) => r.waitingMs), 95);
    const gotWaiting = aggregateClient(intervals, 'http_req_waiting', { name }, ALL).get({ kind: 'p', p: 95 })!;
    assert.ok(Math.abs(gotWaiting - waiting) <= waiting * 0.001 + 0.001, `${name} waiting p(95)`);
  }
  const ticks = intervals.filter((r): r is TickIntervalRecord => r.type === 'tick');
  assert.equal(ticks.reduce((a, t) => a + t.iterations, 0), out.iterations.length, 'iterations');
  assert.equal(ticks.reduce((a, t) => a + t.droppedIterations, 0), out.dropped, 'dropped_iterations');
  assert.equal(aggregateClient(intervals, 'data_sent', {}, ALL).get({ kind: 'count' }), out.bytes.sent, 'data_sent');
  assert.equal(aggregateClient(intervals, 'data_received', {}, ALL).get({ kind: 'count' }), out.bytes.received, 'data_received');
  const checks = aggregateClient(intervals, 'checks', {}, ALL);
  assert.equal(checks.n, out.checks.passed + out.checks.failed, 'checks');
  assert.equal(checks.get({ kind: 'count' }), out.checks.passed, 'checks passed');
  const iterP95 = nearestRank(out.iterations, 95);
  const gotIter = aggregateClient(intervals, 'iteration_duration', {}, ALL).get({ kind: 'p', p: 95 })!;
  assert.ok(Math.abs(gotIter - iterP95) <= iterP95 * 0.001 + 0.001, 'iteration_duration p(95)');
  assert.deepEqual(ticks.sort((a, b) => a.tMs - b.tMs).map((t) => t.vus), out.vus, 'vus per second');
}

test('k6 JSON output is rebuilt exactly: counts per metric and name, percentiles within the histogram precision', async (t) => {
  const dir = tmp(t);
  const out = k6Output();
  const data = await importLines(dir, 'whole', [out.whole]);
  assertCounts(out, data.intervals);
  assert.equal(data.run.startedAt, new Date(Math.floor(out.startMs / 1000) * 1000).toISOString());
  assert.equal(data.run.target.baseUrl, 'http://127.0.0.1:3000');
  assert.equal(data.run.imported?.ignoredMetrics.my_custom_trend, out.iterations.length, 'an unknown metric is counted as ignored');
  assert.ok(data.run.imported?.ignoredMetrics.http_req_blocked);
  assert.deepEqual((data.run.config as { thresholds: unknown }).thresholds, { http_req_duration: ['p(95)<500'] }, "k6's own thresholds are kept");
});

test('the older field order, gzip and a k6 without http_req_failed give the same counts', async (t) => {
  const dir = tmp(t);
  const current = await importLines(dir, 'current', [k6Output().whole]);
  const legacy = k6Output({ order: 'legacy' });
  const gz = await importLines(dir, 'legacy', [legacy.whole], { gzip: true });
  assert.deepEqual(canonical(gz.run.startedAt, gz.intervals), canonical(current.run.startedAt, current.intervals));
  const old = k6Output({ noFailedMetric: true });
  const oldData = await importLines(dir, 'old', [old.whole]);
  assertCounts(old, oldData.intervals);
});

test('a bad line is an error naming the file and the line (exit 104); a cut last line is skipped', async (t) => {
  const dir = tmp(t);
  const lines = k6Output({ seconds: 2, perSecond: 3 }).whole;
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', '{"type":"Point",', /bad-0\.json:4: not JSON/],
    ['no time', '{"metric":"http_reqs","type":"Point","data":{"value":1,"tags":null}}', /bad-0\.json:4: Point of http_reqs: data.time undefined is not an RFC 3339 time/],
    ['a string value', '{"metric":"vus","type":"Point","data":{"time":"2026-01-02T03:04:05Z","value":"5","tags":null}}', /data.value "5" is not a number/],
    ['no type', '{"metric":"vus"}', /has no "type"/],
  ];
  for (const [what, bad, message] of cases) {
    const broken = [...lines.slice(0, 3), bad, ...lines.slice(3)];
    await assert.rejects(importLines(dir, 'bad', [broken]), (err: unknown) => {
      assert.ok(err instanceof ConfigError, what);
      assert.equal(err.exitCode, 104);
      assert.match(err.message, message, what);
      return true;
    });
  }
  const path = join(dir, 'cut.json');
  writeFileSync(path, `${lines.join('\n')}\n{"metric":"http_reqs","type":"Po`);
  const logs: string[] = [];
  await importK6({ files: [path], out: join(dir, 'cut-run'), cwd: dir, env: {}, onLog: (l) => logs.push(l) });
  assert.match(logs.join('\n'), /cut\.json: line \d+ is cut short/);
  const gz = gzipSync(`${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'cut.json.gz'), gz.subarray(0, gz.length - 40));
  await importK6({ files: [join(dir, 'cut.json.gz')], out: join(dir, 'cut-gz-run'), cwd: dir, env: {}, onLog: (l) => logs.push(l) });
  assert.match(logs.join('\n'), /cut\.json\.gz: the gzip stream ends early/);
});

test('three pods imported and merged equal the whole test imported at once, histograms bit for bit', async (t) => {
  const dir = tmp(t);
  const out = k6Output({ seconds: 10, perSecond: 90, pods: 3 });
  const whole = await importLines(dir, 'whole', [out.whole]);
  const podDirs: string[] = [];
  for (let i = 0; i < 3; i++) podDirs.push((await importK6({ files: [writePod(dir, i, out.pods[i]!)], out: join(dir, `pod-${i}-run`), cwd: dir, env: {} })).dir);
  const { dir: mergedDir } = await mergeRunDirs(podDirs, join(dir, 'merged'));
  const merged = await readRunDir(mergedDir);
  assert.equal(merged.run.startedAt, whole.run.startedAt);
  assert.deepEqual(canonical(merged.run.startedAt, merged.intervals), canonical(whole.run.startedAt, whole.intervals));
  assert.deepEqual(merged.run.parts?.map((p) => p.source), podDirs);
  assertCounts(out, merged.intervals);
  // One import of the three files is the same merge.
  const together = await importLines(dir, 'together', out.pods);
  assert.deepEqual(canonical(together.run.startedAt, together.intervals), canonical(whole.run.startedAt, whole.intervals));
  assert.equal(together.run.parts?.length, 3);
});

function writePod(dir: string, i: number, lines: string[]): string {
  const path = join(dir, `pod-${i}.json`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

test('an imported run is judged by perfgate check like any run', async (t) => {
  const dir = tmp(t);
  const data = await importLines(dir, 'judged', [k6Output().whole]);
  const { verdict } = await checkRunDir(data.dir, { markdown: false });
  assert.equal(verdict.thresholds.length, 1);
  assert.equal(verdict.thresholds[0]!.key, 'http_req_duration');
  assert.equal(verdict.status, verdict.thresholds[0]!.pass ? 'pass' : 'fail');
  assert.ok((verdict.requests?.total ?? 0) > 0);
});

test("k6's scenario tag is kept on the records, so {scenario:X} thresholds judge an imported run of a scenarios map", async (t) => {
  const dir = tmp(t);
  const lines = [
    JSON.stringify({ type: 'Metric', data: { name: 'http_reqs', type: 'counter', contains: 'default', thresholds: [], submetrics: null }, metric: 'http_reqs' }),
    JSON.stringify({ type: 'Metric', data: { name: 'http_req_duration', type: 'trend', contains: 'time', thresholds: [], submetrics: null }, metric: 'http_req_duration' }),
  ];
  const point = (ms: number, metric: string, value: number, scenario: string) =>
    JSON.stringify({ type: 'Point', data: { time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5) + ms).toISOString(), value, tags: { name: 'list', method: 'GET', status: '200', scenario } }, metric });
  for (let i = 0; i < 6; i++) lines.push(point(i * 100, 'http_reqs', 1, 'browse'), point(i * 100, 'http_req_duration', 10, 'browse'));
  for (let i = 0; i < 4; i++) lines.push(point(i * 100 + 50, 'http_reqs', 1, 'writes'), point(i * 100 + 50, 'http_req_duration', 80, 'writes'));
  lines.push(point(700, 'http_reqs', 1, 'default'), point(700, 'http_req_duration', 5, 'default'));
  const data = await importLines(dir, 'map', [lines]);
  const count = (tags: Record<string, string>) => aggregateClient(data.intervals, 'http_reqs', tags, ALL).get({ kind: 'count' });
  assert.equal(count({ scenario: 'browse' }), 6);
  assert.equal(count({ scenario: 'writes' }), 4);
  assert.equal(count({ scenario: 'default' }), 1, "k6's default scenario is perfgate's untagged one");
  const max = aggregateClient(data.intervals, 'http_req_duration', { scenario: 'writes' }, ALL).get({ kind: 'max' })!;
  assert.ok(Math.abs(max - 80) < 0.1, `writes' max ${max} ms is theirs (80 ms), within the histogram's precision`);
});
