// Alert rules: warm-up and phases as the SLOs have them, `for` as Prometheus has it, a scenario's overrides, and
// every mistake a ConfigError naming the field; through the real binary where a user meets them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ALERT_RULES, evaluateAlerts, resolveAlertRules } from '../../src/slo/alerts.ts';
import { ConfigError } from '../../src/errors.ts';
import type { SampleRecord } from '../../src/results/format.ts';
import { syntheticRun, writeSyntheticRunDir } from './synthetic-run.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');
let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'perfgate-alerts-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function perfgate(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, GITHUB_STEP_SUMMARY: '' }, timeout: 60_000 }, (_err, stdout, stderr) => {
      resolve({ code: child.exitCode ?? 1, stdout, stderr });
    });
  });
}

/** A healthy 40 s run whose cache starts cold: 0 hits of 2 lookups at 1-2 s, then 80%, as a baseline reads it. */
function coldCacheRun() {
  const data = syntheticRun([{ name: 'ramp-up', seconds: 5 }, { name: 'steady', seconds: 30 }, { name: 'ramp-down', seconds: 5 }]);
  const samples: SampleRecord[] = [];
  for (let t = 1000; t <= 40_000; t += 1000) {
    const [num, den] = t <= 2000 ? [0, 2] : [8, 10];
    samples.push({ tMs: t, source: 'redis', metric: 'cache_hit_ratio', value: num / den, num, den });
  }
  return { ...data, samples };
}

test('a cold cache at the start of a healthy run fires no alert, so --fail-on-alerts passes it (the real binary)', async () => {
  const data = coldCacheRun();
  const cache = evaluateAlerts(data).find((a) => a.rule === 'cache-hit');
  assert.equal(cache?.fired, false, JSON.stringify(cache));
  assert.equal(cache?.observed, 0.8);
  const dir = await writeSyntheticRunDir(join(root, 'cold-cache'), { ...data, run: { ...data.run, config: { thresholds: { http_req_failed: ['rate<0.01'] } } } });
  const { code, stdout } = await perfgate(['check', dir, '--fail-on-alerts']);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /^PASS \(exit 0\): all 1 thresholds passed\n/);
});

test('a cache that stays cold after the warm-up still fires', () => {
  const data = coldCacheRun();
  data.samples = data.samples.map((s) => (s.tMs >= 20_000 && s.tMs < 30_000 ? { ...s, value: 0.2, num: 2, den: 10 } : s));
  const cache = evaluateAlerts(data).find((a) => a.rule === 'cache-hit');
  assert.equal(cache?.fired, true);
  // A window starts no earlier than the warm-up's end (15 s) and reads sum(num)/sum(den): the one ending at 24 s holds
  // the samples of 16..24 s, 5 of 9 at 20%: 42/90 = 47%, the first below 50% (at 23 s: 4 of 8, exactly 50%).
  assert.equal(cache?.firstAtMs, 24_000);
});

test('phases limit a rule to every stretch of the named phases, and `for` needs the condition to hold that long', () => {
  const data = syntheticRun([
    { name: 'steady', seconds: 10 },
    { name: 'spike', seconds: 10, failShare: 0.5 },
    { name: 'steady', seconds: 10 },
    { name: 'steady', seconds: 10, failShare: 0.2 },
  ]);
  const rules = resolveAlertRules({
    'steady-errors': { severity: 'P0', metric: 'http_req_failed', expr: 'rate>0.1', phases: ['steady'], summary: 'errors above 10% in steady' },
    'steady-errors-for': { severity: 'P1', metric: 'http_req_failed', expr: 'rate>0.1', phases: ['steady'], for: '5s', summary: 'errors above 10% for 5 s' },
    'error-rate': false,
  });
  assert.ok(!rules.some((r) => r.name === 'error-rate'), 'false turns a default rule off');
  const by = Object.fromEntries(evaluateAlerts(data, { rules }).map((a) => [a.rule, a]));
  // The spike's 50% is outside the phase. In the last steady stretch (from 30 s), the window ending at E holds
  // E-30 seconds at 20% and 40-E... at 0%: above 10% from E = 36 s (6 of 10 s at 20% = 12%).
  assert.equal(by['steady-errors'].fired, true);
  assert.equal(by['steady-errors'].firstAtMs, 36_000);
  assert.equal(by['steady-errors-for'].fired, false, 'held from 36 s to the end at 40 s: 4 s, under its 5 s');
});

test('the defaults are listed with their shape, and mistakes are ConfigErrors naming the rule and field', () => {
  assert.deepEqual(Object.keys(DEFAULT_ALERT_RULES), ['error-rate', 'latency-p99', 'db-pool', 'cache-hit', 'host-memory', 'redis-memory', 'latency-p95']);
  assert.equal(resolveAlertRules({ 'cache-hit': { warmup: '1m' } }).find((r) => r.name === 'cache-hit')?.warmupMs, 60_000, 'fields replace a default rule\'s');
  const table: Array<[unknown, RegExp]> = [
    [{ x: { severity: 'P9', metric: 'http_req_failed', expr: 'rate>0.1', summary: 's' } }, /alerts\.x\.severity: must be P0, P1 or P2/],
    [{ x: { severity: 'P0', metric: 'nope', expr: 'rate>0.1', summary: 's' } }, /alerts\.x\.metric: unknown metric "nope"/],
    [{ x: { severity: 'P0', metric: 'http_req_failed', expr: 'rate>>0.1', summary: 's' } }, /alerts\.x\.expr: bad operator ">>"/],
    [{ x: { severity: 'P0', metric: 'http_req_failed{phase:steady}', expr: 'rate>0.1', summary: 's' } }, /alerts\.x\.metric: takes no phase tag/],
    [{ x: { severity: 'P0', metric: 'http_req_failed', expr: 'rate>0.1' } }, /alerts\.x\.summary: must be a non-empty sentence/],
    [{ 'cache-hit': { for: 'soon' } }, /alerts\.cache-hit\.for: bad duration "soon"/],
    [{ x: 'loud' }, /alerts\.x: must be a rule/],
  ];
  for (const [overrides, message] of table) {
    assert.throws(() => resolveAlertRules(overrides as never), (err: unknown) => err instanceof ConfigError && message.test(err.message), String(message));
  }
});

test('a scenario overrides the rules (perfgate run validates them before any request; check reads them from run.json)', async () => {
  const base = { name: 'alerts', target: { baseUrl: 'http://127.0.0.1:9' }, load: { executor: 'ramping-vus', stages: [{ duration: '2s', target: 1, name: 'steady' }] }, journeys: [{ name: 'j', steps: [{ name: 's', method: 'GET', path: '/' }] }] };
  const bad = join(root, 'bad-alerts.json');
  await writeFile(bad, JSON.stringify({ ...base, alerts: { 'slow-x': { severity: 'P1', metric: 'http_req_duration', expr: 'p(95)>>10', summary: 's', phases: ['nowhere'] }, 'cache-hit': { loud: true } } }));
  const refused = await perfgate(['run', bad, '--quiet']);
  assert.equal(refused.code, 104, refused.stderr);
  assert.match(refused.stderr, /alerts\["cache-hit"\]\.loud: unknown field/);
  const phaseless = join(root, 'phaseless-alerts.json');
  await writeFile(phaseless, JSON.stringify({ ...base, alerts: { 'slow-x': { severity: 'P1', metric: 'http_req_duration', expr: 'p(95)>10', summary: 's', phases: ['nowhere'] } } }));
  const noPhase = await perfgate(['run', phaseless, '--quiet']);
  assert.equal(noPhase.code, 104, noPhase.stderr);
  assert.match(noPhase.stderr, /alerts\.slow-x\.phases: no stage is named "nowhere"/);
  // A run's own overrides, as run.json keeps them, are what check evaluates.
  const data = syntheticRun([{ name: 'steady', seconds: 20, latencyMs: 40 }]);
  const alerts = { 'slow-x': { severity: 'P1', metric: 'http_req_duration{name:x}', expr: 'p(95)>30', for: '2s', summary: 'x slower than 30 ms' }, 'latency-p95': false };
  const dir = await writeSyntheticRunDir(join(root, 'overridden'), { ...data, run: { ...data.run, config: { thresholds: { http_reqs: ['count>0'] }, alerts } } });
  const { code, stdout } = await perfgate(['check', dir]);
  assert.equal(code, 0, stdout);
  // Every window holds 40 ms requests from the first second (1 s) on; held for its 2 s, it fires at 3 s.
  assert.match(stdout, /! P1 x slower than 30 ms: would have fired at 3 s/);
  const verdict = JSON.parse(await readFile(join(dir, 'verdict.json'), 'utf8'));
  assert.ok(!verdict.alerts.some((a: { rule: string }) => a.rule === 'latency-p95'));
});
