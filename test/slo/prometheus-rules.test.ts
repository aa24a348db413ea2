import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slos } from '../../scenarios/slos.ts';
import { HTTP_BUCKETS_S } from '../../src/target/metrics.ts';
import { HTTP_SLO_BUCKETS_S } from '../../src/metrics/buckets.ts';
import { resolveAlertRules } from '../../src/slo/alert-rules.ts';
import { evaluateAlerts } from '../../src/slo/alerts.ts';
import { prometheusRules, rulesYaml, type AlertingRule } from '../../src/slo/prometheus-rules.ts';
import { promtoolTests, promtoolTestsYaml } from '../../src/slo/promtool-tests.ts';
import { readRunDir } from '../../src/results/read.ts';
import { rulesFor } from '../../src/cli/commands/export.ts';
import { runCli } from '../support/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'fixtures', 'runs');

/** Runs promtool; its exit code and output. */
function promtool(args: string[], cwd: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A fresh folder, removed after `fn`. */
async function inTemp(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-prom-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const alertsOf = (file: ReturnType<typeof prometheusRules>): AlertingRule[] => file.groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => 'alert' in r);

test('the latency SLO limits are bucket edges of the target histogram the rules read', () => {
  assert.deepEqual(HTTP_SLO_BUCKETS_S, HTTP_BUCKETS_S);
  for (const ms of [50, 100, 200, 500, 5000]) assert.ok(HTTP_SLO_BUCKETS_S.includes(ms / 1000), `${ms} ms`);
});

test('promtool check rules passes on the catalogue export and on every scenario\'s export', async () => {
  const scenarios = [
    ...readdirSync(join(ROOT, 'scenarios')).filter((f) => /^(baseline|normal|peak|stress)\.ts$/.test(f)).map((f) => join('scenarios', f)),
    ...readdirSync(join(ROOT, 'scenarios', 'drills')).filter((f) => f !== 'drill-kit.ts').map((f) => join('scenarios', 'drills', f)),
  ];
  assert.ok(scenarios.length >= 9);
  await inTemp(async (dir) => {
    const files: string[] = [];
    for (const s of [undefined, ...scenarios]) {
      const path = join(dir, `${s ? s.replace(/[/.]/g, '_') : 'catalogue'}.yml`);
      writeFileSync(path, (await rulesFor(s ? join(ROOT, s) : undefined, { interval: '1s' })).yaml);
      files.push(path);
    }
    const r = promtool(['check', 'rules', ...files], dir);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.out.match(/SUCCESS: \d+ rules found/g)?.length, files.length, r.out);
  });
});

test('the export holds the SLIs, the P0-P2 alerts with for, severity, SLO and runbook, and the burn-rate pair', () => {
  const file = prometheusRules(slos, resolveAlertRules());
  const records = file.groups.flatMap((g) => g.rules).flatMap((r) => ('record' in r ? [r.record] : []));
  for (const r of ['perfgate:http_reqs:rate_1m', 'perfgate:http_req_failed:ratio_rate5m', 'perfgate:http_req_failed:ratio_rate6h', 'perfgate:http_req_duration:p99_1m',
    'perfgate:db_pool_utilization:max_1m', 'perfgate:cache_hit_ratio:value_1m', 'perfgate:redis_memory_utilization:max_1m', 'perfgate:http_req_duration:within_100ms_ratio_1m']) {
    assert.ok(records.includes(r), r);
  }
  const alerts = alertsOf(file);
  const cache = alerts.find((a) => a.labels.rule === 'cache-hit')!;
  assert.equal(cache.alert, 'PerfgateCacheHit');
  assert.deepEqual(cache.labels, { severity: 'P1', rule: 'cache-hit', slo: 'cache' });
  assert.equal(cache.annotations.runbook_url, 'README.md#runbook');
  assert.match(cache.expr, /< 0\.5\n/);
  assert.deepEqual(new Set(alerts.map((a) => a.labels.severity)), new Set(['P0', 'P1', 'P2']));
  const fast = alerts.find((a) => a.labels.rule === 'error-budget-burn-fast')!;
  assert.equal(fast.expr, 'perfgate:http_req_failed:ratio_rate1h > 0.0144\n  and perfgate:http_req_failed:ratio_rate5m > 0.0144');
  const slow = alerts.find((a) => a.labels.rule === 'error-budget-burn-slow')!;
  assert.equal(slow.expr, 'perfgate:http_req_failed:ratio_rate6h > 0.006\n  and perfgate:http_req_failed:ratio_rate30m > 0.006');
  assert.match(fast.annotations.summary, /99\.9% availability/);
});

test('one edit of the catalogue or an alert rule changes perfgate\'s own evaluation and the export alike', async () => {
  const looser = { ...slos, api: { ...slos.api, http_req_failed: ['rate<0.01'] } };
  const burn = alertsOf(prometheusRules(looser, resolveAlertRules())).find((a) => a.labels.rule === 'error-budget-burn-fast')!;
  assert.match(burn.expr, /> 0\.144\n/);
  const data = await readRunDir(join(FIXTURES, 'fail'));
  const stricter = resolveAlertRules({ 'error-rate': { expr: 'rate>0.5', for: '5s' } });
  assert.equal(evaluateAlerts(data, { rules: stricter }).find((a) => a.rule === 'error-rate')?.fired, false);
  const exported = alertsOf(prometheusRules(slos, stricter)).find((a) => a.labels.rule === 'error-rate')!;
  assert.match(exported.expr, /\) > 0\.5\n/);
  assert.equal(exported.for, '5s');
});

test('a rule on a tag the Prometheus series do not carry is refused, naming the rule', () => {
  const rules = resolveAlertRules({ 'slow-company': { severity: 'P1', metric: 'http_req_duration{name:company}', expr: 'p(95)>150', summary: 'company p95' } });
  assert.throws(() => prometheusRules(slos, rules), (err: Error & { issues?: Array<{ path: string; message: string }> }) => {
    assert.equal(err.issues?.[0].path, 'alerts.slow-company.metric');
    assert.match(err.issues![0].message, /tag name has no label/);
    return true;
  });
  const byRoute = resolveAlertRules({ 'slow-post': { severity: 'P2', metric: 'http_req_duration{method:POST}', expr: 'p(95)>150', summary: 'POST p95', phases: ['steady'] } });
  const post = alertsOf(prometheusRules(slos, byRoute)).find((a) => a.labels.rule === 'slow-post')!;
  assert.match(post.expr, /http_request_duration_seconds_bucket\{method="POST"\}\[10s\]/);
  assert.match(post.expr, /unless on\(\) \(max\(perfgate_phase_active\{phase!~"steady"\}\) == 1\)/);
});

test('promtool test rules passes on the test file made from a recorded run, and fails on one expecting a wrong alert', async () => {
  await inTemp(async (dir) => {
    writeFileSync(join(dir, 'prometheus-rules.yml'), rulesYaml(prometheusRules(slos, resolveAlertRules(), { interval: '1s' }), 'the catalogue'));
    for (const run of ['fail', 'pass', 'interrupted']) {
      const data = await readRunDir(join(FIXTURES, run));
      const file = promtoolTests(data, resolveAlertRules(), { ruleFiles: ['prometheus-rules.yml'], catalogue: slos });
      writeFileSync(join(dir, `${run}.yml`), promtoolTestsYaml(file, run));
      const ok = promtool(['test', 'rules', `${run}.yml`], dir);
      assert.equal(ok.code, 0, `${run}: ${ok.out}`);
    }
    // the fail run fires four alerts by perfgate's evaluation; each is expected at its first firing time
    const text = readFileSync(join(dir, 'fail.yml'), 'utf8');
    for (const [alert, at] of [['PerfgateErrorRate', '89s'], ['PerfgateDbPool', '60s'], ['PerfgateCacheHit', '100s'], ['PerfgateLatencyP95', '97s']]) {
      assert.match(text, new RegExp(`eval_time: "${at}"\\n\\s+alertname: "${alert}"\\n\\s+exp_alerts:\\n`), alert);
    }
    // a wrong expectation: the error-rate alert one second early, and the p99 alert firing though it never does
    writeFileSync(join(dir, 'early.yml'), text.replace(/eval_time: "89s"\n(\s+)alertname: "PerfgateErrorRate"/, 'eval_time: "88s"\n$1alertname: "PerfgateErrorRate"'));
    const early = promtool(['test', 'rules', 'early.yml'], dir);
    assert.equal(early.code, 1, early.out);
    assert.match(early.out, /alertname: PerfgateErrorRate, time: 1m28s/);
    const never = text.replace(/(eval_time: "100s"\n\s+alertname: "PerfgateLatencyP99"\n\s+exp_alerts:) \[\]/, '$1\n          - exp_labels: { severity: "P0", rule: "latency-p99", slo: "api" }');
    assert.notEqual(never, text);
    writeFileSync(join(dir, 'never.yml'), never);
    const wrong = promtool(['test', 'rules', 'never.yml'], dir);
    assert.equal(wrong.code, 1, wrong.out);
    assert.match(wrong.out, /alertname: PerfgateLatencyP99, time: 1m40s/);
  });
});

test('perfgate export writes both files from the CLI', async () => {
  await inTemp(async (dir) => {
    const rules = await runCli(['export', 'prometheus-rules', '--catalogue', '--out', join(dir, 'prometheus-rules.yml')], { cwd: dir });
    assert.equal(rules.code, 0, rules.stderr);
    const tests = await runCli(['export', 'promtool-tests', join(FIXTURES, 'fail'), '--out', join(dir, 'fail.yml')], { cwd: dir });
    assert.equal(tests.code, 0, tests.stderr);
    assert.equal(promtool(['test', 'rules', 'fail.yml'], dir).code, 0);
    const both = await runCli(['export', 'prometheus-rules', 'baseline', '--catalogue'], { cwd: ROOT });
    assert.equal(both.code, 104);
    assert.match(both.stderr, /--catalogue: give a scenario or --catalogue, not both/);
  });
});
