// The shipped scenarios end to end against a real lab: the main job through the CLI exactly as `npm start` runs it
// (baseline, ci profile, its own lab), then every shipped scenario at its smoke profile on one shared lab, each of
// which must pass on a healthy target (connection-storm, which needs PgBouncer, in connection-storm.test.ts).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestLab, type Lab } from '../support/lab.ts';
import { readRunDir, type RunData } from '../../src/results/read.ts';
import { RUN_FILES } from '../../src/results/format.ts';
import { explain, gatedRun, tempReports } from './support.ts';

const root = join(import.meta.dirname, '..', '..');

/** Runs the perfgate CLI; resolves to its exit code and output. */
function perfgate(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'perfgate.js'), ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('the main job: baseline at the ci profile against its own lab passes and leaves a complete run directory', { timeout: 400_000 }, async () => {
  const reports = await tempReports();
  try {
    const out = join(reports.dir, 'baseline');
    const { code, stderr } = await perfgate(['run', 'baseline', '--profile', 'ci', '--lab', '--lab-seed', 'small', '--out', out], root);
    const data = await readRunDir(out);
    assert.equal(code, 0, `${explain(data)}\n${stderr.slice(-2000)}`);
    for (const file of Object.values(RUN_FILES)) assert.ok(existsSync(join(out, file)), `${file} is written`);
    assert.equal(data.run.status, 'completed');
    assert.match(stderr, /\n {2}CLIENT\n {4}http_req_duration\.+: avg=[\s\S]*\n {2}THRESHOLDS\n {4}✓ http_req_duration p\(50\)<50 [\s\S]*\n {2}SERVER \(gated\)\n/, 'the k6-style table ends the run');
    assert.deepEqual(data.run.phases.map((p) => p.name), ['ramp-up', 'warm-up', 'steady', 'ramp-down']);
    const metrics = Object.keys(data.summary!.metrics);
    for (const m of ['http_req_duration', 'http_req_failed', 'db_pool_utilization', 'db_query_duration', 'cache_hit_ratio', 'redis_memory_utilization', 'host_cpu_utilization', 'service_cpu_utilization']) {
      assert.ok(metrics.includes(m), `summary.json has ${m}`);
    }
    assert.ok(data.samples.some((s) => s.metric === 'service_cpu_utilization' && s.labels?.basis === 'lab-processes'), 'on the lab, service CPU counts the lab\'s processes');
    assert.match(stderr, /PASS: all \d+ thresholds passed/);
    assert.match(stderr, /report: .*report\.html/);
    const html = readFileSync(join(out, RUN_FILES.report), 'utf8');
    assert.match(html, /PASS/);
  } finally {
    await reports.cleanup();
  }
});

/** Scenario names in the order they run on the shared lab: the drills that break something (Redis, a worker) last. */
const SMOKE_RUNS = ['baseline', 'normal', 'peak', 'stress', 'write-spike', 'upstream-outage', 'cache-outage', 'worker-crash'];
/** Shipped scenarios run at smoke by a test file of their own: connection-storm (PgBouncer), auth-flood, the recovery drills. */
const OWN_LAB = ['connection-storm', 'auth-flood', 'restore', 'pitr', 'failover', 'db-network'];

/** The names of every module in scenarios/ and scenarios/drills/ whose default export is a scenario. */
async function shippedScenarios(): Promise<string[]> {
  const names: string[] = [];
  for (const dir of ['scenarios', join('scenarios', 'drills')]) {
    for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts')).sort()) {
      const mod = (await import(join(root, dir, file))) as { default?: { name?: unknown; journeys?: unknown } };
      if (typeof mod.default?.name === 'string' && Array.isArray(mod.default.journeys)) names.push(mod.default.name);
    }
  }
  return names;
}

test('every shipped scenario is run at its smoke profile by the end-to-end tests', async () => {
  assert.deepEqual((await shippedScenarios()).sort(), [...SMOKE_RUNS, ...OWN_LAB].sort());
});

describe('every shipped scenario passes at its smoke profile, on one shared lab (two target workers)', { timeout: 900_000 }, () => {
  let lab: Lab;
  let reports: Awaited<ReturnType<typeof tempReports>>;
  const runs = new Map<string, RunData>();
  before(async () => {
    reports = await tempReports();
    lab = await startTestLab({ workers: 2 });
  });
  after(async () => {
    await lab?.stop();
    await reports?.cleanup();
  });

  for (const scenario of SMOKE_RUNS) {
    test(`${scenario} passes at smoke: every gated phase holds data and every threshold holds`, async () => {
      const { exitCode, data } = await gatedRun({ scenario, profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
      runs.set(scenario, data);
      assert.equal(exitCode, 0, explain(data));
      assert.equal(data.run.status, 'completed', explain(data));
      assert.ok(data.verdict && data.verdict.thresholds.length > 0, 'a verdict is written');
      assert.ok(data.verdict.thresholds.every((e) => e.observed !== null), explain(data));
    });
  }

  test('normal and peak are gated on their SLO sets, and no file of their runs holds the database password', () => {
    const password = new URL(lab.info.databaseUrl).password;
    assert.ok(password.length >= 8);
    for (const scenario of ['normal', 'peak']) {
      const data = runs.get(scenario);
      assert.ok(data, `${scenario} ran`);
      const keys = data.verdict!.thresholds.map((e) => e.key);
      assert.ok(keys.includes('http_req_duration') && keys.includes('http_req_failed'), keys.join(', '));
      for (const file of readdirSync(data.dir, { recursive: true, encoding: 'utf8' })) {
        const path = join(data.dir, file);
        if (statSync(path).isFile()) assert.ok(!readFileSync(path, 'utf8').includes(password), `${file} holds no password`);
      }
    }
  });

  test('write-spike runs its two scenarios side by side: the writes from their startTime, each judged on its own', () => {
    const data = runs.get('write-spike');
    assert.ok(data, 'write-spike ran');
    const reqs = data.intervals.filter((r) => r.type === 'req');
    const names = (scenario: string) => new Set(reqs.filter((r) => r.scenario === scenario).map((r) => r.name));
    assert.deepEqual([...names('writes')], ['create-report'], 'the writes run the write-report journey only');
    assert.ok(!names('browse').has('create-report') && names('browse').has('company'), 'browse runs the read journeys');
    const start = data.run.phases.find((p) => p.name === 'spike-up')!.startMs;
    const firstWrite = Math.min(...reqs.filter((r) => r.scenario === 'writes').map((r) => r.tMs));
    assert.ok(firstWrite >= start - 1000, `no write before the writes' startTime (first in the interval at ${firstWrite} ms, start ${start} ms)`);
    const keys = data.verdict!.thresholds.map((e) => e.key);
    for (const k of ['http_req_duration{scenario:browse,phase:write-spike}', 'http_req_duration{scenario:writes}', 'http_req_failed{scenario:writes}']) assert.ok(keys.includes(k), keys.join(', '));
    assert.deepEqual(data.run.load.scenarios?.map((s) => s.name), ['browse', 'writes']);
  });

  test('stress finds its capacity and gates recovery after the ramp-down', () => {
    const data = runs.get('stress');
    assert.ok(data, 'stress ran');
    const capacity = data.verdict?.capacity;
    assert.ok(capacity, explain(data));
    assert.match(capacity.sentence, /^capacity: /);
    assert.deepEqual(data.summary?.capacity, capacity, 'summary.json states the same capacity');
    assert.deepEqual(data.verdict!.thresholds.map((e) => `${e.key} ${e.expression}`), ['http_req_failed{phase:recovery} rate==0']);
  });

  test('the drills saw their faults: the breaker opened within 10 s, Redis was away, the killed worker was replaced', () => {
    const upstream = runs.get('upstream-outage');
    assert.ok(upstream, 'upstream-outage ran');
    assert.deepEqual(upstream.run.faults.map((f) => f.name), ['upstream-outage']);
    const delay = upstream.samples.find((s) => s.metric === 'breaker_open_delay');
    assert.ok(delay && delay.value !== null && delay.value < 10_000, JSON.stringify(delay));
    const cache = runs.get('cache-outage');
    assert.ok(cache?.samples.some((s) => s.source === 'redis' && s.value === null), 'the Redis collector saw the outage as a gap');
    const crash = runs.get('worker-crash');
    const recovery = crash?.samples.find((s) => s.metric === 'recovery_time');
    assert.ok(recovery && recovery.value !== null && recovery.value < 600_000, JSON.stringify(recovery));
    assert.notEqual(recovery.labels?.recovered, 'false');
  });
});
