import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJunit, xmlEscape } from '../../src/report/junit.ts';
import { mdCode, mdEscape, renderMarkdown } from '../../src/report/markdown.ts';
import { evaluateRunData } from '../../src/slo/evaluate-run.ts';
import type { RunJson, VerdictEntry, VerdictJson } from '../../src/results/format.ts';
import { fixture } from './support.ts';
import { parseXml, type XmlElement } from './xml.ts';

const HOSTILE = `</testcase><script>alert("x")</script> & 'q' ]]> \u0001 | \`x\` *b* [l](javascript:alert(1)) <img src=x onerror=alert(1)>`;

/** Checks the common JUnit schema: counts on testsuites and testsuite agree with the test cases. */
function checkJunit(root: XmlElement): { cases: XmlElement[]; failures: number } {
  assert.equal(root.name, 'testsuites');
  const suites = root.children.filter((c) => c.name === 'testsuite');
  assert.equal(suites.length, 1);
  const suite = suites[0];
  for (const attr of ['name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp']) assert.ok(attr in suite.attrs, `testsuite@${attr}`);
  for (const attr of ['tests', 'failures', 'errors', 'time']) assert.ok(attr in root.attrs, `testsuites@${attr}`);
  assert.match(suite.attrs.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  const cases = suite.children.filter((c) => c.name === 'testcase');
  assert.deepEqual([...new Set(suite.children.map((c) => c.name))].filter((n) => n !== 'testcase'), ['properties']);
  assert.equal(Number(suite.attrs.tests), cases.length);
  const failures = cases.filter((c) => c.children.some((x) => x.name === 'failure')).length;
  const errors = cases.filter((c) => c.children.some((x) => x.name === 'error')).length;
  assert.equal(Number(suite.attrs.failures), failures);
  assert.equal(Number(suite.attrs.errors), errors);
  assert.equal(Number(root.attrs.failures), failures);
  for (const c of cases) {
    assert.ok(c.attrs.classname && c.attrs.name, 'testcase has classname and name');
    for (const x of c.children) assert.ok(['failure', 'error', 'skipped', 'system-out', 'system-err'].includes(x.name), x.name);
  }
  return { cases, failures };
}

test('junit.xml of the failing fixture parses back with one test case per threshold and failures carrying observed and margin', async () => {
  const data = await fixture('fail');
  const { verdict } = evaluateRunData(data);
  const { cases, failures } = checkJunit(parseXml(renderJunit(data.run, verdict)));
  const thresholdCases = cases.filter((c) => !c.attrs.classname.startsWith('alerts.'));
  assert.equal(thresholdCases.length, verdict.thresholds.length);
  assert.equal(failures, verdict.thresholds.filter((e) => !e.pass).length);
  const p95 = thresholdCases.find((c) => c.attrs.classname === 'http_req_duration' && c.attrs.name === 'p(95)<200');
  const failure = p95?.children.find((c) => c.name === 'failure');
  assert.match(failure?.attrs.message ?? '', /^observed 420 ms, limit < 200 ms, margin -2\d\d(\.\d+)? ms \(-1\d\d\.\d% of the limit\), [\d,]+ samples$/);
  assert.match(failure?.text ?? '', /observed: 4\d\d(\.\d+)? ms/);
});

test('alerts are failures in junit.xml only with failOnAlerts; an interrupted run carries an error case', async () => {
  const fail = await fixture('fail');
  const strict = evaluateRunData(fail, { failOnAlerts: true }).verdict;
  const lenient = evaluateRunData(fail).verdict;
  const fired = lenient.alerts.filter((a) => a.fired).length;
  assert.ok(fired > 0);
  assert.equal(checkJunit(parseXml(renderJunit(fail.run, strict, { failOnAlerts: true }))).failures, lenient.thresholds.length + fired);
  const interrupted = await fixture('interrupted');
  const root = parseXml(renderJunit(interrupted.run, evaluateRunData(interrupted).verdict));
  checkJunit(root);
  assert.equal(root.children[0].attrs.errors, '1');
});

const hostileEntry: VerdictEntry = {
  key: `http_req_duration{name:${HOSTILE}}`, metric: 'http_req_duration', tags: { name: HOSTILE }, expression: 'p(95)<200', aggregation: 'p(95)',
  operator: '<', limit: 200, observed: 250, pass: false, margin: -50, marginPct: -25, unit: 'ms', window: { fromMs: 0, toMs: 1000 }, abortOnFail: false, note: HOSTILE,
};

test('hostile names are escaped in junit.xml and read back verbatim (less the characters XML cannot hold)', async () => {
  const { run } = await fixture('pass');
  const hostileRun: RunJson = { ...run, scenario: HOSTILE, id: HOSTILE };
  const verdict: VerdictJson = { format: 1, status: 'fail', exitCode: 99, reason: HOSTILE, thresholds: [hostileEntry], alerts: [] };
  const xml = renderJunit(hostileRun, verdict);
  assert.ok(!xml.includes('<script>'));
  const root = parseXml(xml);
  const { cases } = checkJunit(root);
  assert.equal(cases[0].attrs.classname, hostileEntry.key.replace('\u0001', ''));
  assert.ok(cases[0].children[0].text.includes(HOSTILE.replace('\u0001', '')));
  assert.equal(xmlEscape(`a<b>&"'`), 'a&lt;b&gt;&amp;&quot;&apos;');
});

test('summary.md is a compact table with pass and fail marks, the alerts, and links to the charts that exist', async () => {
  const data = await fixture('fail');
  const { verdict } = evaluateRunData(data);
  const md = renderMarkdown(data.run, verdict, { charts: ['charts/latency.svg', 'charts/throughput.svg'] });
  assert.match(md, /^## perfgate ❌ FAIL: stress \(ci\)/);
  assert.ok(md.includes('| ❌ | `http_req_duration` | `p(95)<200` | 420 ms | −220 ms (−109.9%) |'), md);
  assert.equal(md.split('\n').filter((l) => l.startsWith('| ❌')).length, verdict.thresholds.length);
  assert.match(md, /- P1 database pool utilisation above 90%: first at 60 s \(observed 93\.33%\)/);
  assert.match(md, /Charts: \[latency\]\(charts\/latency\.svg\) · \[throughput\]\(charts\/throughput\.svg\)/);
  const pass = await fixture('pass');
  const passMd = renderMarkdown(pass.run, evaluateRunData(pass).verdict);
  assert.ok(!passMd.includes('❌'));
  assert.ok(!passMd.includes('Charts:'), 'no chart, no link');
  assert.ok(!passMd.includes('capacity:'), 'no capacity line without a capacity finding');
  const sentence = 'capacity: 4,271 users; http_req_duration p(95)<100 broke first at 08:34 with 4,279 users (observed 105 ms)';
  const capacity = { maxHealthyVUs: 4271, firstBreach: { key: 'http_req_duration', expression: 'p(95)<100', atMs: 514_000, vus: 4279, observed: 104.7 }, sentence };
  const stressMd = renderMarkdown(pass.run, { ...evaluateRunData(pass).verdict, capacity });
  assert.ok(stressMd.includes(`**${mdEscape(sentence)}**`), stressMd);
});

test('hostile text cannot break the Markdown table or inject HTML', async () => {
  const { run } = await fixture('pass');
  const verdict: VerdictJson = { format: 1, status: 'fail', exitCode: 99, reason: HOSTILE, thresholds: [{ ...hostileEntry, observed: null, margin: null, marginPct: null }], alerts: [] };
  const md = renderMarkdown({ ...run, scenario: HOSTILE }, verdict);
  const row = md.split('\n').find((l) => l.startsWith('| ❌')) ?? '';
  assert.equal(row.replace(/\\\|/g, '').split('|').length, 8, `one row of six cells: ${row}`);
  assert.ok(!/<script|<img/.test(md.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, '')), 'no raw HTML outside code spans');
  assert.equal(mdEscape('a|b<c>*d*'), 'a\\|b&lt;c&gt;\\*d\\*');
  assert.equal(mdCode('x`y'), '`` x`y ``');
  assert.equal(mdCode('a|b'), '`a\\|b`');
});
