// The drill on a real Prometheus: cache-outage (ci profile) on a lab with Prometheus. The P1 cache-hit alert fires in
// Prometheus while Redis is away and is read back with its firing time; the report shows it beside perfgate's own
// evaluation (a disagreement in words); the harness was scraped for the whole run; then every Grafana panel's query
// returns data from the same Prometheus.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestLab, type Lab } from '../support/lab.ts';
import { explain, gatedRun, tempReports } from './support.ts';
import { labRulesYaml } from '../../src/run/lab-prometheus.ts';
import { boardQueries } from '../../src/slo/grafana-dashboards.ts';
import { gapTooLong } from '../../src/slo/prometheus-alerts.ts';
import type { RunData } from '../../src/results/format.ts';

describe('cache-outage on the lab\'s Prometheus', { timeout: 240_000 }, () => {
  let lab: Lab;
  let reports: Awaited<ReturnType<typeof tempReports>>;
  let data: RunData;
  let reportHtml: string | undefined;
  before(async () => {
    reports = await tempReports();
    lab = await startTestLab({ workers: 1, prometheus: { rulesYaml: labRulesYaml() } });
    ({ data, reportHtml } = await gatedRun({ scenario: 'cache-outage', profile: 'ci', sharedLab: lab, reportsDir: reports.dir, prometheus: true }));
  });
  after(async () => {
    await lab?.stop();
    await reports?.cleanup();
  });

  test('the P1 cache-hit alert fires in Prometheus during the fault, read back with its firing time', () => {
    const prom = data.prometheus;
    assert.ok(prom, 'prometheus-alerts.json is in the run directory');
    assert.equal(prom.error, undefined, prom.error);
    const fault = data.run.faults.find((f) => f.name.startsWith('redis'))!;
    const cache = prom.alerts.find((a) => a.alert === 'PerfgateCacheHit');
    assert.ok(cache?.firstFiringMs !== undefined, `PerfgateCacheHit never fired: ${JSON.stringify(prom.alerts)} (${explain(data)})`);
    assert.equal(cache.severity, 'P1');
    assert.ok(cache.firstFiringMs >= fault.startMs && cache.firstFiringMs <= fault.endMs, `fired at ${cache.firstFiringMs} ms, fault ${fault.startMs}-${fault.endMs} ms`);
  });

  test('the report shows it beside perfgate\'s evaluation, and says so when they disagree', () => {
    const html = readFileSync(reportHtml!, 'utf8');
    const row = /<tr[^>]*data-prometheus-alert="PerfgateCacheHit"[^>]*>([\s\S]*?)<\/tr>/.exec(html);
    assert.ok(row, 'a row for PerfgateCacheHit');
    assert.match(row[1], /fired<\/span> 00:\d\d/);
    const perfgate = data.verdict!.alerts.find((a) => a.rule === 'cache-hit')!;
    if (!perfgate.fired) assert.match(html, /data-alert-disagreement="cache-hit">Disagreement on cache-hit \(P1\): Prometheus fired PerfgateCacheHit at 00:\d\d, but perfgate&#39;s evaluation says it would not have fired/);
    else assert.doesNotMatch(html, /data-alert-disagreement="cache-hit"/);
    assert.match(readFileSync(`${data.dir}/summary.md`, 'utf8'), /\*\*Alerts in Prometheus\*\*/);
  });

  test('the harness was scraped for the whole run: no gap over 2 scrape intervals', () => {
    const harness = data.prometheus!.scrapes.find((s) => s.job === 'harness')!;
    assert.ok(harness.scrapes >= Math.floor(data.prometheus!.toMs / harness.intervalMs) - 2, `a scrape a second from the start to the end of the load (${data.prometheus!.toMs} ms): ${JSON.stringify(harness)}`);
    assert.equal(gapTooLong(harness), false, `no gap over 2 scrape intervals (a few ms of jitter allowed): ${JSON.stringify(harness)}`);
  });

  test('every Grafana panel query returns data from the lab\'s Prometheus after the run', async () => {
    const prom = lab.info.prometheus!;
    const atS = (Date.parse(data.run.startedAt) + (data.run.durationMs ?? 0) - 2_000) / 1000; // within the run: the harness' series are live
    const empty: string[] = [];
    for (const q of boardQueries()) {
      const expr = q.expr.replaceAll('$__rate_interval', '15s');
      const res = await fetch(`${prom.url}/api/v1/query?${new URLSearchParams({ query: expr, time: String(atS) })}`);
      const body = (await res.json()) as { status: string; data?: { result: unknown[] }; error?: string };
      assert.equal(body.status, 'success', `${q.board} / ${q.panel}: ${body.error}`);
      if (!body.data?.result.length) empty.push(`${q.board} / ${q.panel} / ${q.legend}: ${expr}`);
    }
    assert.deepEqual(empty, []);
  });
});
