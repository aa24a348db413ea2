// The verdict through the real binary: a run stopped by abortOnFail names the threshold and the moment in every
// output, and an interrupted run whose generator saturated is invalid (103), not interrupted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDir } from '../../src/results/read.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');
let server: TestServer;
let dir: string;
before(async () => {
  server = await startJsonServer();
  dir = mkdtempSync(join(tmpdir(), 'perfgate-cli-verdict-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a JSON scenario against the test server. */
function scenarioFile(name: string, extra: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name, target: { baseUrl: server.url },
    load: { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '30s', preAllocatedVUs: 5, maxVUs: 20 },
    journeys: [{ name: 'get', steps: [{ name: 'root', method: 'GET', path: '/status/500' }] }],
    ...extra,
  }));
  return file;
}

/** Starts the real CLI in `dir`. */
function cli(args: string[]): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GITHUB_STEP_SUMMARY: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

test('a run stopped by abortOnFail names the threshold and when, in run.json, verdict.json, check, JUnit, Markdown and the HTML', async () => {
  const out = join(dir, 'aborted');
  const scenario = scenarioFile('abort', { thresholds: { http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '5s' }], http_req_duration: ['p(95)<1000'] } });
  const { code, stderr } = await cli(['run', scenario, '--out', out]).done;
  const data = await readRunDir(out);
  // On a busy machine the generator may also count as saturated: then the run is invalid (103 outranks 99), and the
  // abort must be recorded all the same.
  const invalid = data.run.status === 'invalid';
  if (invalid) assert.match(data.run.statusReason ?? '', /saturated|could not hold/);
  else assert.equal(data.run.status, 'aborted');
  assert.equal(code, invalid ? 103 : 99, stderr);
  const by = data.run.abortedBy;
  assert.ok(by, 'run.json says which threshold aborted the run');
  assert.equal(by.key, 'http_req_failed');
  assert.equal(by.expression, 'rate<0.1');
  assert.ok(by.atMs >= 5000 && by.atMs < 20_000, `aborted at ${by.atMs} ms`);
  assert.equal(by.observed, 1);
  const atS = `${Math.round(by.atMs / 1000)} s`;
  const named = new RegExp(`http_req_failed rate<0\\.1.*at ${atS}`);
  assert.match(data.verdict?.reason ?? '', named);
  assert.equal(data.verdict?.thresholds.find((e) => e.key === 'http_req_failed')?.aborted, true);
  assert.match(readFileSync(join(out, 'junit.xml'), 'utf8'), new RegExp(`aborted the run \\(abortOnFail\\) at ${atS}`));
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), invalid ? /⚠️ INVALID/ : /⛔ ABORTED/);
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), new RegExp(`\\| \`http_req_failed\` \\| \`rate<0\\.1\` \\(aborted the run at ${atS}\\)`));
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, invalid ? /data-status="invalid"/ : /data-status="aborted"/);
  assert.match(html, new RegExp(`http_req_failed rate&lt;0\\.1[^<]*at ${atS}`));
  const check = await cli(['check', out, '--out', join(dir, 'aborted-check')]).done;
  assert.equal(check.code, invalid ? 103 : 99, check.stderr);
  assert.match(check.stdout, invalid ? new RegExp(`^INVALID \\(exit 103\\): .*aborted by http_req_failed rate<0\\.1 at ${atS}`) : new RegExp(`^ABORTED \\(exit 99\\): aborted by http_req_failed rate<0\\.1 at ${atS}`));
  assert.match(check.stdout, new RegExp(`✗ http_req_failed rate<0\\.1  100%  \\([\\d,]+ samples; aborted the run at ${atS}\\)`));
});

test('an interrupted run whose generator saturated exits 103 (invalid), not 105', async () => {
  const out = join(dir, 'saturated');
  // One VU against a 300 ms answer cannot hold 40 iterations a second: most are dropped.
  const scenario = scenarioFile('saturated', {
    load: { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '60s', preAllocatedVUs: 1, maxVUs: 1 },
    journeys: [{ name: 'get', steps: [{ name: 'slow', method: 'GET', path: '/slow/300' }] }],
  });
  const { child, done } = cli(['run', scenario, '--out', out, '--quiet', '--no-report']);
  try {
    const intervals = join(out, 'intervals.ndjson');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(existsSync(intervals) && readFileSync(intervals, 'utf8').includes('"droppedIterations":') && statSync(intervals).size > 2000)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const { code, stderr } = await done;
    assert.equal(code, 103, stderr);
    const data = await readRunDir(out);
    assert.equal(data.run.status, 'invalid');
    assert.match(data.run.statusReason ?? '', /dropped/);
    assert.match(data.run.statusReason ?? '', /interrupted/);
    assert.equal(data.run.exitCode, 103);
    assert.equal(data.verdict?.exitCode, 103);
  } finally {
    child.kill('SIGKILL');
  }
});
