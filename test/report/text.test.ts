import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, describeLoad, fmtMs, fmtPct, fmtUnit } from '../../src/report/format-values.ts';
import { escapeHtml, jsonForScript } from '../../src/report/escape.ts';
import { redactDeep, redactText } from '../../src/redact.ts';
import { bannerStatus, buildModel } from '../../src/report/model.ts';
import { bannerSentence, causeSentences, worstBreach } from '../../src/report/narrative.ts';
import { entry, syntheticRun } from './support.ts';

test('clock times read as mm:ss from the run start, h:mm:ss past an hour', () => {
  for (const [ms, want] of [[0, '00:00'], [999, '00:00'], [62_000, '01:02'], [599_000, '09:59'], [3_600_000, '1:00:00'], [-5, '00:00']] as const) assert.equal(clock(ms), want, String(ms));
});

test('values are formatted in their unit', () => {
  const cases: Array<[string, string]> = [
    [fmtMs(0.4213), '0.42 ms'], [fmtMs(12.34), '12.3 ms'], [fmtMs(340.2), '340 ms'], [fmtMs(1250), '1.25 s'], [fmtMs(null), 'n/a'],
    [fmtPct(0.0005), '0.050%'], [fmtPct(0.012), '1.2%'], [fmtPct(1), '100%'], [fmtPct(0), '0%'],
    [fmtUnit(0.7, 'ratio'), '70%'], [fmtUnit(200, 'ms'), '200 ms'], [fmtUnit(40, 'count'), '40'],
  ];
  for (const [got, want] of cases) assert.equal(got, want);
});

test('escapeHtml neutralises every markup character, and script JSON cannot close its element', () => {
  assert.equal(escapeHtml(`<script>"a" & 'b'</script>\``), '&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;&#96;');
  assert.equal(escapeHtml(undefined), '');
  const json = jsonForScript({ s: '</script><script>alert(1)</script>' });
  assert.ok(!json.includes('<'));
  assert.deepEqual(JSON.parse(json), { s: '</script><script>alert(1)</script>' });
});

test('credentials in URLs and secret parameters or fields are redacted', () => {
  const cases: Array<[string, string]> = [
    ['postgres://app:hunter2@127.0.0.1:5432/db', 'postgres://app:***@127.0.0.1:5432/db'],
    ['redis://:pw@localhost:6379', 'redis://:***@localhost:6379'],
    ['failed: connect to http://u:p@h/x?token=abc&x=1', 'failed: connect to http://u:***@h/x?token=***&x=1'],
    ['postgres://app:***@h/db', 'postgres://app:***@h/db'],
    ['no secrets here', 'no secrets here'],
  ];
  for (const [input, want] of cases) assert.equal(redactText(input), want);
  assert.deepEqual(redactDeep({ password: 'x', nested: { apiKey: 'k', url: 'mysql://a:b@h' }, list: ['http://c:d@h'] }), { password: '***', nested: { apiKey: '***', url: 'mysql://a:***@h' }, list: ['http://c:***@h'] });
});


test('without a verdict the banner is never PASS', () => {
  const run = syntheticRun({ durationS: 2 }).run;
  assert.equal(bannerStatus({ ...run, status: 'completed' }, undefined), 'not-evaluated');
  assert.equal(bannerStatus({ ...run, status: 'interrupted' }, undefined), 'interrupted');
  assert.equal(bannerStatus({ ...run, status: 'invalid' }, undefined), 'invalid');
});

test('the worst breach is the failed threshold furthest past its limit in percent', () => {
  const a = entry('a', 'http_req_duration', 'p(95)', '<', 200, 300, 'ms');
  const b = entry('b', 'http_req_failed', 'rate', '<', 0.01, 0.05, 'ratio');
  const c = entry('c', 'http_req_duration', 'p(99)', '<', 500, 100, 'ms');
  assert.equal(worstBreach([a, b, c])?.key, 'b');
  assert.equal(worstBreach([c]), undefined);
});

test('the banner sentence and the cause sentence name the load, the SLO count and the pool at the knee', () => {
  const m = buildModel(syntheticRun({ durationS: 60, kneeAtS: 42, verdict: 'fail' }));
  assert.match(bannerSentence(m), /^baseline \(ci profile\), up to 50 VUs \(ramping-vus\) for 01:00\. 1 of 6 SLOs met\. Worst breach: /);
  const causes = causeSentences(m);
  assert.ok(causes.includes('p95 crossed 200 ms at 00:42, when pool utilisation reached 100%, 40 clients were waiting for a connection, the cache hit ratio fell to 50% and host CPU was at 90%.'), causes.join('\n'));
  const quiet = buildModel(syntheticRun({ durationS: 60, verdict: 'pass' }));
  assert.deepEqual(causeSentences(quiet), []);
});

test('"What happened" starts with the failed thresholds in plain words, worst first', async () => {
  const { drillRun } = await import('./support.ts');
  const { failedThresholdSentences, failedThresholdSentence } = await import('../../src/report/narrative.ts');
  assert.deepEqual(failedThresholdSentences(buildModel(drillRun())), ['The p95 latency of company requests during outage was 258 ms; the SLO asks for below 100 ms (158% past it).']);
  assert.equal(failedThresholdSentence(entry('checks', 'checks', 'rate', '>', 0.999, 0.9737, 'ratio')), 'The check pass rate was 97.4%; the SLO asks for above 99.9% (2.53% past it).');
  assert.equal(failedThresholdSentence(entry('http_req_failed', 'http_req_failed', 'rate', '<', 0.01, 0.0216, 'ratio')), 'The error rate over all requests was 2.16%; the SLO asks for below 1% (116% past it).');
});

test('golden: numbers carry their unit and the precision that shows the difference (percent near 100, JUnit margins, windows, alerts)', async () => {
  const { failureMessage, marginText, renderJunit } = await import('../../src/report/junit.ts');
  const pct = [0.999, 0.9995, 0.97374, 0.5, 0.0216, 0.01, 0.00012, 1].map((r) => `${fmtPct(r)} | ${fmtUnit(r, 'ratio', true)}`);
  assert.deepEqual(pct, ['99.9% | 99.9%', '99.95% | 99.95%', '97.4% | 97.37%', '50% | 50%', '2.16% | 2.16%', '1% | 1%', '0.012% | 0.012%', '100% | 100%']);
  const ms = [0.4213, 12.345, 419.839, 1582.77, 11182.77].map((v) => `${fmtUnit(v, 'ms')} | ${fmtUnit(v, 'ms', true)}`);
  assert.deepEqual(ms, ['0.42 ms | 0.421 ms', '12.3 ms | 12.35 ms', '420 ms | 420 ms', '1.58 s | 1583 ms', '11.2 s | 11183 ms']);
  const latency = entry('http_req_duration', 'http_req_duration', 'p(95)', '<', 200, 419.839, 'ms');
  latency.window = { fromMs: 1582.766845703125, toMs: 11182.766845703125 };
  const checks = entry('checks', 'checks', 'rate', '>', 0.999, 0.973740241, 'ratio');
  assert.equal(failureMessage(latency), 'observed 420 ms, limit < 200 ms, margin -220 ms (-109.9% of the limit)');
  assert.equal(failureMessage(checks), 'observed 97.37%, limit > 99.9%, margin -2.526% (-2.5% of the limit)');
  assert.equal(marginText({ margin: null, marginPct: null, unit: 'ms' }), 'n/a');
  const run = { format: 1, id: 'r1', scenario: 's', profile: 'ci', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 12_000, plannedDurationMs: 12_000, status: 'completed' } as unknown as Parameters<typeof renderJunit>[0];
  const xml = renderJunit(run, { format: 1, status: 'fail', exitCode: 99, thresholds: [latency, checks], alerts: [{ severity: 'P1', rule: 'r', description: 'd', fired: true, firstAtMs: 60_000, observed: 0.33333, unit: 'ratio' }] });
  assert.ok(xml.includes('observed: 420 ms\nmargin: -220 ms (-109.9% of the limit)\nwindow: 1.58 s..11.2 s</failure>'), xml);
  assert.ok(xml.includes('<system-out>would have fired at 60 s (observed 33.33%)</system-out>'), xml);
  assert.doesNotMatch(xml, /\d\.\d{5,}/, 'no raw floats');
  const html = (await import('../../src/report/build-report.ts')).buildReport;
  const r = syntheticRun({ durationS: 10, verdict: 'fail' });
  r.verdict!.alerts[0] = { ...r.verdict!.alerts[0]!, observed: 0.33333, unit: 'ratio' };
  assert.match((await html(r)).html, /<td class="num">33\.33%<\/td><\/tr>/, 'alert values in % as the SLO table');
});

test('the load is described one way: the rate for the open model, the VUs for the closed one, each scenario of a map by name', () => {
  assert.equal(describeLoad({ executor: 'ramping-vus', peakVUs: 100 }), 'up to 100 VUs (ramping-vus)');
  assert.equal(describeLoad({ executor: 'constant-arrival-rate', peakVUs: 40, peakRatePerS: 20 }), 'up to 20.0 iterations/s (constant-arrival-rate, at most 40 VUs)');
  const map = {
    executor: 'browse: ramping-vus, writes: ramping-arrival-rate',
    peakVUs: 150,
    peakRatePerS: 20,
    scenarios: [
      { name: 'browse', executor: 'ramping-vus', startMs: 0, peakVUs: 100 },
      { name: 'writes', executor: 'ramping-arrival-rate', startMs: 300_000, peakVUs: 50, peakRatePerS: 20 },
    ],
  };
  assert.equal(describeLoad(map), 'browse: up to 100 VUs (ramping-vus); writes from 05:00: up to 20.0 iterations/s (ramping-arrival-rate, at most 50 VUs)');
});
