// The end-of-run terminal table against golden files made from the recorded fixture runs.
// UPDATE_GOLDEN=1 rewrites the golden files (then read the diff before committing it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { terminalSummary } from '../../src/report/terminal-summary.ts';
import type { SummaryJson, VerdictJson } from '../../src/results/format.ts';

const root = join(import.meta.dirname, '..', '..');

for (const name of ['pass', 'fail']) {
  test(`golden: the terminal table of the ${name} fixture run`, () => {
    const dir = join(root, 'fixtures', 'runs', name);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryJson;
    const verdict = JSON.parse(readFileSync(join(dir, 'verdict.json'), 'utf8')) as VerdictJson;
    const got = terminalSummary(summary, verdict);
    const file = join(import.meta.dirname, 'golden', `terminal-${name}.txt`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, got);
    assert.equal(got, readFileSync(file, 'utf8'));
  });
}

test('the table marks each threshold ✓, ✗ or ? (no data), shows its sub-metric row and the gated server metrics', () => {
  const summary: SummaryJson = {
    format: 1,
    state: { testRunDurationMs: 10_000, status: 'completed' },
    metrics: {
      http_req_duration: { type: 'trend', contains: 'time', values: { avg: 12.3, min: 1, med: 10, 'p(90)': 20, 'p(95)': 30, 'p(99)': 45.6, max: 1250, count: 1234 } },
      'http_req_duration{name:company}': { type: 'trend', contains: 'time', values: { avg: 20, min: 2, med: 18, 'p(90)': 30, 'p(95)': 40, 'p(99)': 50, max: 60, count: 400 } },
      'http_req_duration{name:unused}': { type: 'trend', contains: 'time', values: { avg: 1, count: 1 } },
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.001, passes: 1, fails: 999 } },
      db_pool_utilization: { type: 'gauge', contains: 'default', values: { value: 0.1, min: 0, 'p(95)': 0.4525, max: 0.71 } },
    },
  } as unknown as SummaryJson;
  const e = (key: string, metric: string, expression: string, observed: number | null, pass: boolean, unit: string, limit: number) =>
    ({ key, metric, tags: {}, expression, aggregation: 'x', operator: '<', limit, observed, pass, margin: null, marginPct: observed === null ? null : ((limit - observed) / limit) * 100, unit, window: { fromMs: 0, toMs: 1 }, abortOnFail: false, samples: 10 });
  const verdict = { format: 1, status: 'fail', exitCode: 99, alerts: [], thresholds: [
    e('http_req_duration{name:company}', 'http_req_duration', 'p(95)<100', 40, true, 'ms', 100),
    e('db_pool_utilization', 'db_pool_utilization', 'max<0.7', 0.71, false, 'ratio', 0.7),
    e('cache_hit_ratio', 'cache_hit_ratio', 'value>0.8', null, false, 'ratio', 0.8),
  ] } as unknown as VerdictJson;
  const text = terminalSummary(summary, verdict);
  assert.match(text, /^ {4}http_req_duration\.+: avg=12\.3ms min=1\.00ms med=10\.0ms p\(90\)=20\.0ms p\(95\)=30\.0ms p\(99\)=45\.6ms max=1\.25s count=1,234$/m);
  assert.match(text, /^ {6}\{name:company\}\.+: avg=20\.0ms/m);
  assert.doesNotMatch(text, /name:unused/, 'only the sub-metrics a threshold names');
  assert.match(text, /^ {4}http_req_failed\.+: 0\.1% {2}1 of 1,000$/m);
  assert.match(text, /✓ http_req_duration\{name:company\} p\(95\)<100 {2}40 ms \(limit 100 ms, \+60\.0% of the limit, 10 samples\)/);
  assert.match(text, /✗ db_pool_utilization max<0\.7 {2}71% \(limit 70%, -1\.4% of the limit/);
  assert.match(text, /\? cache_hit_ratio value>0\.8 {2}no data \(limit 80%, 10 samples\)/);
  assert.match(text, /SERVER \(gated\)\n {4}db_pool_utilization\.+: value=10% min=0% p\(95\)=45\.25% max=71%\n/);
});
