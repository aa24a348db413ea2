import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';
import type { ProfileSummary } from '../../src/profile/types.ts';
import type { RunJson } from '../../src/results/format.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A small service of the user's: each request allocates rows in allocateReportRows (kept in a ring, so they are still
 * live when the heap profile is taken) and burns CPU in burnChecksum. On SIGINT it closes and lets the process exit
 * once idle, as Clinic heapprofiler needs (it writes its profile after SIGINT, then exits the process itself).
 */
const SERVER = `
import { createServer } from 'node:http';
const kept = [];
function allocateReportRows(n) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push({ id: i, label: 'row-' + i, values: [i, i * 2, i * 3] });
  return rows;
}
function burnChecksum(rows) {
  let x = 0;
  for (let k = 0; k < 40; k++) for (const r of rows) x = (x + Math.sqrt(r.id * k + 1)) % 1e9;
  return x;
}
const server = createServer((req, res) => {
  const rows = allocateReportRows(2000);
  kept.push(rows);
  if (kept.length > 300) kept.shift();
  res.end(String(burnChecksum(rows)));
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGINT', () => server.close());
`;

let dir = '';

/** A free loopback port. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Writes the server and a 6-second scenario against it; returns the scenario's path. */
async function scenarioFor(port: number, name: string): Promise<string> {
  const scenario = {
    name,
    target: { baseUrl: `http://127.0.0.1:${port}` },
    load: { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '6s', preAllocatedVUs: 10, maxVUs: 40 },
    journeys: [{ name: 'get', steps: [{ name: 'root', method: 'GET', path: '/' }] }],
  };
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(scenario));
  return path;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perfgate-clinic-cli-'));
  await writeFile(join(dir, 'server.mjs'), SERVER);
});
after(() => rm(dir, { recursive: true, force: true }));

/** Runs `perfgate clinic <args> -- node server.mjs` on a free port; returns the run directory, its run.json and profile summary. */
async function clinicRun(name: string, args: string[]): Promise<{ out: string; run: RunJson; summary: ProfileSummary; stderr: string; code: number | null }> {
  const port = await freePort();
  const scenario = await scenarioFor(port, name);
  const out = join(dir, `run-${name}`);
  const res = await runCli(['clinic', ...args, scenario, '--out', out, '--no-report', '--', process.execPath, join(dir, 'server.mjs')], {
    cwd: ROOT,
    timeoutMs: 300_000,
    env: { ...process.env, PORT: String(port) },
  });
  const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunJson;
  const summary = JSON.parse(await readFile(join(out, 'profile', 'summary.json'), 'utf8')) as ProfileSummary;
  return { out, run, summary, stderr: res.stderr, code: res.code };
}

test('perfgate clinic heapprofiler on a service of its own: the summary names the function that allocates', { timeout: 300_000 }, async () => {
  const { out, run, summary, stderr, code } = await clinicRun('heap', ['heapprofiler']);
  assert.equal(code, 0, stderr);
  assert.equal(run.profiled, true);
  assert.deepEqual(run.profiler, { tool: 'heapprofiler', method: 'clinic' });
  assert.equal(summary.error, undefined, stderr);
  assert.ok(summary.html && summary.html.endsWith('.clinic-heapprofiler.html') && existsSync(join(out, summary.html)), `Clinic's page: ${summary.html}`);
  const names = (summary.allocations ?? []).map((s) => s.name);
  assert.ok(names.slice(0, 3).includes('allocateReportRows'), `top allocation sites: ${names.join(', ')}`);
  assert.ok(existsSync(join(out, 'profile', 'service.log')), 'the service log is kept');
});

test("perfgate clinic flame --node-profiler: Node's own --cpu-prof stands in, and the summary names the hot function", { timeout: 300_000 }, async () => {
  const { out, run, summary, stderr, code } = await clinicRun('cpu', ['flame', '--node-profiler']);
  assert.equal(code, 0, stderr);
  assert.deepEqual(run.profiler, { tool: 'flame', method: 'node' });
  assert.equal(summary.error, undefined, stderr);
  assert.ok(summary.data.some((f) => f.endsWith('.cpuprofile')), `data: ${summary.data.join(', ')}`);
  assert.ok(summary.html && existsSync(join(out, summary.html)), 'the findings page');
  const top = (summary.hotFunctions ?? []).slice(0, 3).map((f) => f.name);
  assert.ok(top.includes('burnChecksum'), `top self time: ${top.join(', ')}`);
});

test('perfgate run --clinic: bubbleprof on this Node, and --clinic without --lab, are refused up front (exit 104) naming why', async () => {
  const bubble = await runCli(['run', 'baseline', '--lab', '--clinic', 'bubbleprof'], { cwd: ROOT });
  assert.equal(bubble.code, 104);
  assert.match(bubble.stderr, /--clinic: Clinic bubbleprof does not work on Node \d+/);
  const noLab = await runCli(['run', 'baseline', '--clinic', 'doctor'], { cwd: ROOT });
  assert.equal(noLab.code, 104);
  assert.match(noLab.stderr, /--clinic: profiles the lab's target, so it needs --lab/);
});
