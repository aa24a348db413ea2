import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDir } from '../../src/results/read.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');
let server: TestServer;
let dir: string;
before(async () => {
  server = await startJsonServer();
  dir = mkdtempSync(join(tmpdir(), 'perfgate-cli-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function scenarioFile(name: string, baseUrl: string, duration: string): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name, target: { baseUrl },
    load: { executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration, preAllocatedVUs: 5, maxVUs: 20 },
    journeys: [{ name: 'get', steps: [{ name: 'root', method: 'GET', path: '/' }] }],
  }));
  return file;
}

function cli(args: string[]): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

test('SIGINT mid-run stops the load, writes an interrupted run directory and exits 105', async () => {
  const out = join(dir, 'sigint');
  const { child, done } = cli(['run', scenarioFile('long', server.url, '60s'), '--out', out, '--quiet']);
  try {
    const deadline = Date.now() + 30_000;
    const intervals = join(out, 'intervals.ndjson');
    while (Date.now() < deadline && !(existsSync(intervals) && statSync(intervals).size > 0)) await new Promise((r) => setTimeout(r, 100));
    assert.equal(existsSync(intervals), true, 'the load started');
    child.kill('SIGINT');
    const { code, stderr } = await done;
    assert.equal(code, 105, stderr);
    const data = await readRunDir(out);
    assert.equal(data.run.status, 'interrupted');
    assert.equal(data.run.exitCode, 105);
    assert.ok(data.intervals.some((r) => r.type === 'req' && r.count > 0), 'measured requests were kept');
    assert.ok(data.summary, 'summary.json was written');
  } finally {
    child.kill('SIGKILL');
  }
});

test('--json prints summary.json on stdout and a clean run exits 0', async () => {
  const { code, stdout, stderr } = await cli(['run', scenarioFile('short', server.url, '1s'), '--out', join(dir, 'json'), '--json', '--quiet']).done;
  assert.ok(code === 0 || code === 103, `exit ${code}: ${stderr}`);
  const summary = JSON.parse(stdout);
  assert.equal(summary.format, 1);
});

test('bad arguments and unknown flags exit 104 with the field named', async () => {
  const file = scenarioFile('args', server.url, '1s');
  const table: Array<{ args: string[]; message: RegExp }> = [
    { args: ['run', file, '--profile', 'huge'], message: /--profile/ },
    { args: ['run', file, '--workers', '0'], message: /--workers/ },
    { args: ['run', file, '--no-such-flag'], message: /unknown option/ },
  ];
  const results = await Promise.all(table.map((c) => cli(c.args).done));
  table.forEach((c, i) => {
    assert.equal(results[i]!.code, 104, `${c.args.join(' ')}: ${results[i]!.stderr}`);
    assert.match(results[i]!.stderr, c.message);
  });
});

test('a non-loopback target is refused with exit 104 before any request', async () => {
  const before = server.arrivals.length;
  const { code, stderr } = await cli(['run', scenarioFile('remote', 'http://192.0.2.10:80', '1s'), '--out', join(dir, 'remote')]).done;
  assert.equal(code, 104);
  assert.match(stderr, /--allow-host/);
  assert.equal(existsSync(join(dir, 'remote')), false);
  assert.equal(server.arrivals.length, before);
});
