// The production scenarios end to end against a real lab: the main job through the CLI exactly as `npm start` runs
// it (baseline, ci profile, its own lab), then normal, peak and stress at their smoke profile on a shared lab.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestLab, type Lab } from '../support/lab.ts';
import { readRunDir } from '../../src/results/read.ts';
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
    assert.deepEqual(data.run.phases.map((p) => p.name), ['ramp-up', 'steady', 'ramp-down']);
    const metrics = Object.keys(data.summary!.metrics);
    for (const m of ['http_req_duration', 'http_req_failed', 'db_pool_utilization', 'db_query_duration', 'cache_hit_ratio', 'redis_memory_utilization', 'host_cpu_utilization']) {
      assert.ok(metrics.includes(m), `summary.json has ${m}`);
    }
    assert.match(stderr, /PASS: all \d+ thresholds passed/);
    assert.match(stderr, /report: .*report\.html/);
    const html = readFileSync(join(out, RUN_FILES.report), 'utf8');
    assert.match(html, /PASS/);
  } finally {
    await reports.cleanup();
  }
});

describe('the load scenarios at their smoke profile', { timeout: 600_000 }, () => {
  let lab: Lab;
  let reports: Awaited<ReturnType<typeof tempReports>>;
  before(async () => {
    reports = await tempReports();
    lab = await startTestLab({ workers: 1 });
  });
  after(async () => {
    await lab?.stop();
    await reports?.cleanup();
  });

  for (const scenario of ['normal', 'peak']) {
    test(`${scenario} runs every phase with every collector and is gated on its SLO set`, async () => {
      const { data } = await gatedRun({ scenario, profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
      assert.equal(data.run.status, 'completed', explain(data));
      assert.ok(data.verdict, 'a verdict is written');
      const keys = data.verdict.thresholds.map((e) => e.key);
      assert.ok(keys.includes('http_req_duration') && keys.includes('http_req_failed'), keys.join(', '));
      assert.ok(data.verdict.thresholds.every((e) => e.observed !== null), explain(data));
      // Secret canary: the lab's database password is in no file of the run directory.
      const password = new URL(lab.info.databaseUrl).password;
      assert.ok(password.length >= 8);
      for (const file of readdirSync(data.dir, { recursive: true, encoding: 'utf8' })) {
        const path = join(data.dir, file);
        if (statSync(path).isFile()) assert.ok(!readFileSync(path, 'utf8').includes(password), `${file} holds no password`);
      }
    });
  }

  test('stress finds its capacity and gates recovery after the ramp-down', async () => {
    const { data } = await gatedRun({ scenario: 'stress', profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(data.run.status, 'completed', explain(data));
    const capacity = data.verdict?.capacity;
    assert.ok(capacity, explain(data));
    assert.match(capacity.sentence, /^capacity: /);
    assert.deepEqual(data.summary?.capacity, capacity, 'summary.json states the same capacity');
    assert.deepEqual(data.verdict!.thresholds.map((e) => `${e.key} ${e.expression}`), ['http_req_failed{phase:recovery} rate==0']);
  });
});
