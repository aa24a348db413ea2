import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateRun, FIXTURE_KINDS } from '../../scripts/make-fixture-runs.ts';
import { evaluateThresholds } from '../../src/slo/evaluate.ts';
import { parseThresholds, type ThresholdInput } from '../../src/slo/grammar.ts';
import { evaluateRunData } from '../../src/slo/evaluate-run.ts';
import { mergeBuckets, histogramQuantile } from '../../src/metrics/buckets.ts';
import type { RunData } from '../../src/results/read.ts';
import { FIXTURES, fixture, hdrPercentileMs } from './support.ts';

const evaluate = (data: RunData, thresholds: Record<string, ThresholdInput[]>) => evaluateThresholds(data, parseThresholds(thresholds));

test('the recorded fixtures are exactly what the seeded generator produces', async () => {
  for (const kind of FIXTURE_KINDS) {
    const gen = generateRun(kind);
    const onDisk = await readFile(join(FIXTURES, kind, 'intervals.ndjson'), 'utf8');
    const lines = onDisk.split('\n').filter((l) => l.trim());
    assert.equal(lines[0], JSON.stringify(gen.intervals[0]), kind);
    assert.equal(lines[lines.length - (kind === 'interrupted' ? 2 : 1)], JSON.stringify(gen.intervals[gen.intervals.length - 1]), kind);
    const run = JSON.parse(await readFile(join(FIXTURES, kind, 'run.json'), 'utf8'));
    assert.deepEqual(run, gen.run, kind);
  }
});

test('trend percentiles are exact values of the merged HDR histograms, with name and expected_response filters', async () => {
  const data = await fixture('fail');
  const raw = generateRun('fail').raw;
  const all = raw.flatMap((r) => [...r.okMs, ...r.failMs]);
  const company = raw.filter((r) => r.name === 'company').flatMap((r) => [...r.okMs, ...r.failMs]);
  const okOnly = raw.flatMap((r) => r.okMs);
  const entries = evaluate(data, {
    http_req_duration: ['p(95)<200', 'p(99.9)<100000', 'med<100', 'p(50)<100'],
    'http_req_duration{name:company}': ['p(95)<100'],
    'http_req_duration{expected_response:true}': ['p(99)<100'],
    'http_req_duration{expected_response:false}': ['max<100'],
  });
  assert.equal(entries[0].observed, hdrPercentileMs(all, 95));
  assert.equal(entries[1].observed, hdrPercentileMs(all, 99.9));
  assert.equal(entries[2].observed, hdrPercentileMs(all, 50));
  assert.equal(entries[3].observed, entries[2].observed);
  assert.equal(entries[4].observed, hdrPercentileMs(company, 95));
  assert.equal(entries[5].observed, hdrPercentileMs(okOnly, 99));
  // Timeouts are failures recorded at the full timeout (2 s): the failed requests' max is 2000 ms within resolution.
  assert.ok(Math.abs((entries[6].observed ?? 0) - 2000) <= 2, String(entries[6].observed));
  assert.ok((entries[0].observed ?? 0) > 200, 'the failing fixture breaches p(95)<200');
  assert.equal(entries[0].pass, false);
  assert.equal(entries[0].margin, Math.round((200 - (entries[0].observed as number)) * 1e9) / 1e9);
});

test('phase filters select the phase records and report the phase window', async () => {
  const data = await fixture('pass');
  const raw = generateRun('pass').raw;
  const steady = raw.filter((r) => r.tMs >= 20_000 && r.tMs < 100_000).flatMap((r) => [...r.okMs, ...r.failMs]);
  const [e] = evaluate(data, { 'http_req_duration{phase:steady}': ['p(95)<200'] });
  assert.equal(e.observed, hdrPercentileMs(steady, 95));
  assert.deepEqual(e.window, { fromMs: 20_000, toMs: 100_000 });
  const [reqs] = evaluate(data, { 'http_reqs{phase:steady}': ['rate>1'] });
  const steadyCount = raw.filter((r) => r.tMs >= 20_000 && r.tMs < 100_000).reduce((a, r) => a + r.okMs.length + r.failMs.length, 0);
  assert.equal(reqs.observed, steadyCount / 80);
});

test('rates are failed over total in the window, and counters count per second of the window', async () => {
  const data = await fixture('fail');
  const raw = generateRun('fail').raw;
  const count = raw.reduce((a, r) => a + r.okMs.length + r.failMs.length, 0);
  const failed = raw.reduce((a, r) => a + r.failMs.length, 0);
  const rampUpFailed = raw.filter((r) => r.tMs < 100_000).reduce((a, r) => a + r.failMs.length, 0);
  const rampUpCount = raw.filter((r) => r.tMs < 100_000).reduce((a, r) => a + r.okMs.length + r.failMs.length, 0);
  const entries = evaluate(data, {
    http_req_failed: ['rate<0.01'],
    'http_req_failed{phase:ramp-up}': ['rate<0.01'],
    http_reqs: ['count>0', 'rate>0'],
    'http_reqs{error_code:timeout}': ['count==0'],
    'http_reqs{status:503}': ['count<1000'],
  });
  assert.equal(entries[0].observed, Math.round((failed / count) * 1e9) / 1e9);
  assert.equal(entries[1].observed, Math.round((rampUpFailed / rampUpCount) * 1e9) / 1e9);
  assert.equal(entries[2].observed, count);
  assert.equal(entries[3].observed, Math.round((count / 120) * 1e9) / 1e9);
  assert.ok((entries[4].observed ?? 0) > 0, 'the failing fixture has timeouts');
  assert.equal(entries[4].pass, false);
  assert.equal(entries[5].pass, true);
});

test('server thresholds read samples: ratio sums, gauge extremes, label filters, bucket quantiles and gaps', async () => {
  const data = await fixture('pass');
  const cache = data.samples.filter((s) => s.metric === 'cache_hit_ratio' && s.value !== null);
  const expectedRatio = cache.reduce((a, s) => a + (s.num ?? 0), 0) / cache.reduce((a, s) => a + (s.den ?? 0), 0);
  const active = data.samples.filter((s) => s.metric === 'pg_connections' && s.labels?.state === 'active').map((s) => s.value as number);
  const queries = data.samples.filter((s) => s.metric === 'db_query_duration');
  const entries = evaluate(data, {
    cache_hit_ratio: ['value>0.8'],
    db_pool_utilization: ['max<0.9'],
    'pg_connections{state:active}': ['max<=20'],
    db_query_duration: ['p(95)<50'],
  });
  assert.equal(entries[0].observed, Math.round(expectedRatio * 1e9) / 1e9);
  assert.match(entries[0].note ?? '', /1 samples missing \(collector gaps\)/);
  assert.equal(entries[1].observed, 0.5);
  assert.equal(entries[2].observed, Math.max(...active));
  assert.equal(entries[3].observed, Math.round((histogramQuantile(0.95, mergeBuckets(queries.map((q) => q.buckets ?? []))) as number) * 1e9) / 1e9);
  assert.match(entries[3].note ?? '', /estimated from histogram buckets/);
  assert.ok(entries.every((e) => e.pass));
});

test('a threshold on nothing never passes: no client data, no collector, or a tag that matches nothing', async () => {
  const data = await fixture('no-server');
  const entries = evaluate(data, {
    db_pool_utilization: ['max<0.9'],
    'http_req_duration{name:no-such-step}': ['p(95)<200'],
    sql_query_duration: ['p(95)<50'],
  });
  assert.deepEqual(entries.map((e) => [e.pass, e.observed]), [[false, null], [false, null], [false, null]]);
  assert.match(entries[0].note ?? '', /no collector produced db_pool_utilization/);
  assert.equal(entries[1].note, 'no data');
  const pass = await fixture('pass');
  const [labels] = evaluate(pass, { 'pg_connections{state:waiting}': ['max<1'] });
  assert.match(labels.note ?? '', /no sample matched the window and tag filters/);
});

test('the fixtures gate as expected: pass 0, fail 99, interrupted 105 even though its thresholds pass', async () => {
  const table: Array<['pass' | 'fail' | 'interrupted' | 'no-server', string, number]> = [
    ['pass', 'pass', 0],
    ['no-server', 'pass', 0],
    ['fail', 'fail', 99],
    ['interrupted', 'interrupted', 105],
  ];
  for (const [name, status, exitCode] of table) {
    const { verdict, summary } = evaluateRunData(await fixture(name));
    assert.equal(verdict.status, status, name);
    assert.equal(verdict.exitCode, exitCode, name);
    for (const e of verdict.thresholds) assert.equal(summary.metrics[e.key]?.thresholds?.[e.expression]?.ok, e.pass, `${name} ${e.key} ${e.expression}`);
  }
  const interrupted = evaluateRunData(await fixture('interrupted')).verdict;
  assert.ok(interrupted.thresholds.every((e) => e.pass));
});
