import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildVerdict, worstEntry } from '../../src/slo/verdict.ts';
import { evaluateAlerts } from '../../src/slo/alerts.ts';
import { createHistogram, encodeHistogram, recordLatencyUs } from '../../src/metrics/histogram.ts';
import type { AlertFinding, IntervalRecord, RunJson, SampleRecord, VerdictEntry } from '../../src/results/format.ts';

const run = (status: RunJson['status'], extra: Partial<RunJson> = {}): RunJson => ({
  format: 1, id: 'r', scenario: 's', profile: 'ci', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 60_000, plannedDurationMs: 60_000, status,
  target: { baseUrl: 'http://127.0.0.1:1' }, load: { executor: 'constant-vus' }, config: {},
  environment: { node: 'v20', os: 'linux', arch: 'x64', cpus: 2, perfgateVersion: '0', workers: 1 }, phases: [], faults: [], ...extra,
});

const entry = (pass: boolean, extra: Partial<VerdictEntry> = {}): VerdictEntry => ({
  key: 'http_req_duration', metric: 'http_req_duration', tags: {}, expression: 'p(95)<200', aggregation: 'p(95)', operator: '<', limit: 200,
  observed: pass ? 100 : 300, pass, margin: pass ? 100 : -100, marginPct: pass ? 50 : -50, unit: 'ms', window: { fromMs: 0, toMs: 60_000 }, abortOnFail: false, ...extra,
});

const alert = (fired: boolean): AlertFinding => ({ severity: 'P1', rule: 'db-pool', description: 'database pool utilisation above 90%', fired, ...(fired ? { firstAtMs: 5000, observed: 0.95 } : {}) });

test('the verdict status and exit code follow the run status, thresholds and alerts, in that precedence', () => {
  const table: Array<[string, RunJson, VerdictEntry[], AlertFinding[], boolean, string, number, RegExp]> = [
    ['all pass', run('completed'), [entry(true)], [alert(false)], false, 'pass', 0, /^all 1 thresholds passed$/],
    ['one fails', run('completed'), [entry(true), entry(false)], [], false, 'fail', 99, /^1 of 2 thresholds failed; worst: http_req_duration p\(95\)<200: observed 300 ms \(50% past the limit\)$/],
    ['alerts annotate', run('completed'), [entry(true)], [alert(true)], false, 'pass', 0, /1 alert rule\(s\) would have fired$/],
    ['alerts fail when asked', run('completed'), [entry(true)], [alert(true)], true, 'fail', 99, /--fail-on-alerts\); first: P1 database pool/],
    ['interrupted never passes', run('interrupted', { statusReason: 'SIGINT' }), [entry(true)], [], false, 'interrupted', 105, /^SIGINT; the results are partial$/],
    ['a run still marked running was killed', run('running'), [entry(true)], [], false, 'interrupted', 105, /never finished/],
    ['invalid never passes', run('invalid', { statusReason: 'generator saturated' }), [entry(true)], [], false, 'invalid', 103, /^generator saturated$/],
    ['invalid wins over failures', run('invalid'), [entry(false)], [], false, 'invalid', 103, /^the results cannot be trusted/],
    ['aborted by a threshold is 99', run('aborted', { abortedBy: { key: 'http_req_failed', expression: 'rate<0.01', atMs: 42_000 } }), [entry(false)], [], false, 'aborted', 99, /^aborted by http_req_failed rate<0.01 at 42 s; 1 of 1 thresholds failed/],
    ['no thresholds judge nothing', run('completed'), [], [], false, 'no-thresholds', 0, /^no thresholds, so nothing was judged$/],
    ['no thresholds name a fired P0', run('completed'), [], [{ ...alert(true), severity: 'P0', rule: 'error-rate', description: 'error rate above 5%' }], false, 'no-thresholds', 0, /^no thresholds, so nothing was judged; 1 alert rule\(s\) would have fired: P0 error-rate \(error rate above 5%\) at 5 s$/],
    ['no thresholds fail on alerts when asked', run('completed'), [], [alert(true)], true, 'fail', 99, /--fail-on-alerts/],
    ['invalid wins over interrupted', run('invalid', { statusReason: 'dropped; also interrupted' }), [entry(true)], [], false, 'invalid', 103, /^dropped; also interrupted/],
  ];
  for (const [name, r, entries, alerts, failOnAlerts, status, exitCode, reason] of table) {
    const v = buildVerdict(r, entries, alerts, { failOnAlerts });
    assert.equal(v.status, status, name);
    assert.equal(v.exitCode, exitCode, name);
    assert.match(v.reason ?? '', reason, name);
    assert.equal(v.thresholds, entries);
    assert.equal(v.format, 1);
  }
});

test('the worst failure is a threshold without data first, then the largest breach in percent', () => {
  const a = entry(false, { key: 'a', marginPct: -10 });
  const b = entry(false, { key: 'b', marginPct: -80 });
  const c = entry(false, { key: 'c', observed: null, margin: null, marginPct: null, note: 'no data' });
  assert.equal(worstEntry([a, b, entry(true)])?.key, 'b');
  assert.equal(worstEntry([a, b, c])?.key, 'c');
  assert.equal(worstEntry([entry(true)]), undefined);
});

/** 60 s of synthetic intervals: 100 requests a second at 20 ms; `failFrom` on 10% fail; `slowFrom` on 3 a second take 6 s. */
function intervals(opts: { failFrom?: number; slowFrom?: number }): IntervalRecord[] {
  const out: IntervalRecord[] = [];
  for (let s = 0; s < 60; s++) {
    const ok = createHistogram();
    const fail = createHistogram();
    const failed = opts.failFrom !== undefined && s >= opts.failFrom ? 10 : 0;
    const slow = opts.slowFrom !== undefined && s >= opts.slowFrom ? 3 : 0;
    for (let i = 0; i < 100 - failed - slow; i++) recordLatencyUs(ok, 20_000);
    for (let i = 0; i < slow; i++) recordLatencyUs(ok, 6_000_000);
    for (let i = 0; i < failed; i++) recordLatencyUs(fail, 30_000);
    out.push({ type: 'req', tMs: s * 1000, intervalMs: 1000, name: 'x', method: 'GET', count: 100, failed, statuses: { 200: 100 - failed }, errors: failed ? { http_5xx: failed } : {}, okHist: encodeHistogram(ok), failHist: encodeHistogram(fail), bytesIn: 0, bytesOut: 0, checksPassed: 0, checksFailed: 0 });
  }
  return out;
}

test('alert rules report when they would first have fired, on a rolling 10 s window (hand-computed)', () => {
  const samples: SampleRecord[] = [];
  for (let t = 1000; t <= 60_000; t += 1000) samples.push({ tMs: t, source: 'prometheus', metric: 'db_pool_utilization', value: t >= 31_000 ? 0.95 : 0.5 });
  const data = { run: run('completed'), intervals: [...intervals({ failFrom: 12 }), ...intervals({ slowFrom: 20 }).map((r) => ({ ...r, name: 'y', failed: 0 }))], samples };
  const byRule = Object.fromEntries(evaluateAlerts(data).map((a) => [a.rule, a]));
  // Errors: 10 of 200 a second from 12 s; the window ending at E holds E-12 failing seconds of 10 in 2000 requests.
  // > 5% needs more than 10 failing seconds: never (the most is 10 seconds = 5%). So it must not fire.
  assert.equal(byRule['error-rate'].fired, false);
  assert.equal(byRule['error-rate'].observed, 0.05);
  // p99 over 2000 requests (rank 1980): more than 20 slow requests (3 a second from 20 s) needs 7 slow seconds in
  // the window: the window [17 s, 27 s) ending at 27 s.
  assert.equal(byRule['latency-p99'].fired, true);
  assert.equal(byRule['latency-p99'].firstAtMs, 27_000);
  assert.ok(Math.abs((byRule['latency-p99'].observed ?? 0) - 6000) < 6);
  // p95 (rank 1900) needs more than 100 slow requests in the window: never with at most 30.
  assert.equal(byRule['latency-p95'].fired, false);
  // Pool: the window average passes 0.9 once 9 of its 10 samples are 0.95: samples 31..39 s, window ending at 39 s.
  assert.equal(byRule['db-pool'].fired, true);
  assert.equal(byRule['db-pool'].firstAtMs, 39_000);
  assert.equal(byRule['db-pool'].observed, 0.905);
  assert.equal(byRule['cache-hit'].fired, false);
  assert.equal(byRule['cache-hit'].note, 'not evaluated: no data after its 15 s warm-up');
});

test('the cache-hit alert is judged once warm: it waits out the run\'s warm-up phase as well as its own warm-up', () => {
  // Hit ratio 0% until 20 s, 90% after; the run's warm-up phase ends at 20 s.
  const samples: SampleRecord[] = [];
  for (let t = 1000; t <= 60_000; t += 1000) {
    const hits = t <= 20_000 ? 0 : 90;
    samples.push({ tMs: t, source: 'redis', metric: 'cache_hit_ratio', value: hits / 100, num: hits, den: 100 });
  }
  const phases = [{ name: 'ramp-up', startMs: 0, endMs: 10_000 }, { name: 'warm-up', startMs: 10_000, endMs: 20_000 }, { name: 'steady', startMs: 20_000, endMs: 60_000 }];
  const cacheHit = (p: RunJson['phases']) => evaluateAlerts({ run: run('completed', { phases: p }), intervals: intervals({}), samples }).find((a) => a.rule === 'cache-hit');
  const warm = cacheHit(phases);
  assert.equal(warm?.fired, false, JSON.stringify(warm));
  assert.equal(warm?.observed, 0.9);
  // Without a warm-up phase only the rule's own 15 s warm-up applies: the still-cold cache after it fires once the
  // window holds its 5 samples (16-20 s).
  const cold = cacheHit(phases.filter((p) => p.name !== 'warm-up'));
  assert.equal(cold?.fired, true);
  assert.equal(cold?.firstAtMs, 20_000);
});

test('the error-rate alert fires once the rolling rate passes 5%', () => {
  const data = { run: run('completed'), intervals: intervals({ failFrom: 12 }), samples: [] };
  const err = evaluateAlerts(data).find((a) => a.rule === 'error-rate');
  // 10% of 100 a second from 12 s: the window ending at E holds (E-12) failing seconds -> > 5% from 18 s (6%).
  assert.equal(err?.firstAtMs, 18_000);
  assert.equal(err?.observed, 0.06);
  assert.equal(err?.unit, 'ratio');
});
