// What the lab's Prometheus saw, set beside perfgate's findings: parsing the HTTP API's ALERTS matrices, scrape
// coverage from raw `up` samples, and the agreement rows and their sentences (pure).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsFromMatrix, compareAlerts, gapTooLong, scrapeCoverage, scrapeSentences, stretchesOf, type PrometheusAlertsJson } from '../../src/slo/prometheus-alerts.ts';
import type { AlertFinding } from '../../src/results/format.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number): number => (T0 + s * 1000) / 1000;

test('ALERTS matrices become alerts with their first pending and firing times and firing stretches', () => {
  const firing = [{ metric: { alertname: 'PerfgateCacheHit', rule: 'cache-hit', severity: 'P1', alertstate: 'firing' }, values: [18, 19, 20, 21, 30, 31].map((s) => [at(s), '1'] as [number, string]) }];
  const pending = [{ metric: { alertname: 'PerfgateLatencyP95', rule: 'latency-p95', severity: 'P2', alertstate: 'pending' }, values: [[at(12), '1'] as [number, string]] }];
  const alerts = alertsFromMatrix(firing, pending, T0, 1000);
  assert.deepEqual(alerts, [
    { alert: 'PerfgateCacheHit', rule: 'cache-hit', severity: 'P1', firstFiringMs: 18_000, firing: [{ startMs: 18_000, endMs: 21_000 }, { startMs: 30_000, endMs: 31_000 }] },
    { alert: 'PerfgateLatencyP95', rule: 'latency-p95', severity: 'P2', firstPendingMs: 12_000, firing: [] },
  ]);
});

test('stretches join instants at most 1.5 steps apart', () => {
  assert.deepEqual(stretchesOf([3000, 1000, 2000, 5000], 1000), [{ startMs: 1000, endMs: 3000 }, { startMs: 5000, endMs: 5000 }]);
  assert.deepEqual(stretchesOf([], 1000), []);
});

test('scrape coverage: the longest gap between successful scrapes, the run edges included; failed scrapes do not count', () => {
  const up: Array<[number, string]> = [[at(0.5), '1'], [at(1.5), '1'], [at(2.5), '0'], [at(3.5), '1'], [at(4.5), '1'], [at(9), '1']];
  const c = scrapeCoverage('harness', up, T0, { fromMs: 0, toMs: 5000 }, 1000);
  assert.deepEqual(c, { job: 'harness', scrapes: 4, failed: 1, maxGapMs: 2000, maxGapAtMs: 1500, intervalMs: 1000 });
  assert.equal(gapTooLong(c), false, 'one missed scrape is a gap of 2 intervals');
  assert.equal(gapTooLong({ ...c, maxGapMs: 2015 }), false, 'and a few ms of timing jitter');
  assert.equal(gapTooLong({ ...c, maxGapMs: 3000 }), true, 'two missed in a row are over'); 
  const none = scrapeCoverage('target', [], T0, { fromMs: 0, toMs: 5000 }, 1000);
  assert.equal(none.maxGapMs, 5000);
});

const finding = (rule: string, fired: boolean, firstAtMs?: number, note?: string): AlertFinding => ({ severity: 'P1', rule, description: `${rule} summary`, fired, unit: 'ratio', ...(firstAtMs !== undefined ? { firstAtMs } : {}), ...(note ? { note } : {}) });

const prom = (alerts: PrometheusAlertsJson['alerts']): PrometheusAlertsJson => ({ version: 1, scrapeIntervalMs: 1000, evaluationIntervalMs: 1000, fromMs: 0, toMs: 40_000, alerts, scrapes: [{ job: 'harness', scrapes: 40, failed: 0, maxGapMs: 3500, maxGapAtMs: 12_000, intervalMs: 1000 }] });

test('agreement: both fired, neither, and each side alone, said plainly', () => {
  const rows = compareAlerts(
    [finding('cache-hit', true, 20_000), finding('db-pool', false), finding('error-rate', true, 5_000), finding('latency-p95', false, undefined, 'not evaluated: no data')],
    prom([
      { alert: 'PerfgateCacheHit', rule: 'cache-hit', severity: 'P1', firstFiringMs: 18_000, firing: [{ startMs: 18_000, endMs: 25_000 }] },
      { alert: 'PerfgateLatencyP95', rule: 'latency-p95', severity: 'P2', firstFiringMs: 9_000, firing: [{ startMs: 9_000, endMs: 9_000 }] },
      { alert: 'PerfgateErrorBudgetBurnFast', rule: 'error-budget-burn-fast', severity: 'P1', firing: [], firstPendingMs: 3000 },
    ]),
  );
  const by = Object.fromEntries(rows.map((r) => [r.rule, r]));
  assert.equal(by['cache-hit'].agree, true);
  assert.equal(by['cache-hit'].sentence, "cache-hit (P1): both fired: Prometheus fired PerfgateCacheHit at 00:18, perfgate's evaluation at 00:20.");
  assert.equal(by['db-pool'].agree, true);
  assert.equal(by['db-pool'].alert, 'PerfgateDbPool');
  assert.equal(by['error-rate'].agree, false);
  assert.match(by['error-rate'].sentence, /^Disagreement on error-rate \(P1\): perfgate's evaluation says it would have fired at 00:05, but PerfgateErrorRate never fired in Prometheus\. One of the two evaluations is wrong\.$/);
  assert.equal(by['latency-p95'].agree, false);
  assert.match(by['latency-p95'].sentence, /Prometheus fired PerfgateLatencyP95 at 00:09, but perfgate's evaluation says it would not have fired \(not evaluated: no data\)/);
  assert.equal(by['error-budget-burn-fast'].agree, null);
  assert.match(by['error-budget-burn-fast'].sentence, /never fired in Prometheus; perfgate does not evaluate this rule on runs/);
});

test('scrape sentences flag a gap over 2 scrape intervals', () => {
  const [line] = scrapeSentences(prom([]));
  assert.match(line, /^harness: 40 scrapes, longest gap 3\.5 s at 00:12 \(over 2 scrape intervals of 1 s/);
});

test('summary.md lists the disagreements first', () => {
  const run = { scenario: 'cache-outage', profile: 'ci', durationMs: 40_000, load: { executor: 'ramping-vus', peakVUs: 50 }, target: { baseUrl: 'http://127.0.0.1:1' } };
  const verdict = { status: 'pass', exitCode: 0, reason: 'ok', thresholds: [], alerts: [finding('cache-hit', false), finding('db-pool', true, 3000)] };
  const md = renderMarkdown(run as never, verdict as never, { prometheus: prom([{ alert: 'PerfgateCacheHit', rule: 'cache-hit', severity: 'P1', firstFiringMs: 18_000, firing: [{ startMs: 18_000, endMs: 20_000 }] }]) });
  const section = md.slice(md.indexOf('**Alerts in Prometheus**'));
  const items = section.split('\n').filter((l) => l.startsWith('- '));
  assert.equal(items.length, 2, section);
  assert.match(items[0], /^- ❌ Disagreement on cache-hit \(P1\): Prometheus fired PerfgateCacheHit at 00:18/);
  assert.match(items[1], /^- ❌ Disagreement on db-pool/);
});
