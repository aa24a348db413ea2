import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../../src/errors.ts';
import { RUNS_FOLDER_MARKER } from '../../src/results/run-dir-writer.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';
import { runCli } from '../support/cli.ts';

const FIXTURE = fileURLToPath(new URL('../../fixtures/runs/no-server/', import.meta.url));
let dir: string;
let server: TestServer;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perfgate-index-cli-'));
  server = await startJsonServer();
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A one-second scenario file against the test server. */
function scenarioFile(): string {
  const file = join(dir, 'short.json');
  writeFileSync(file, JSON.stringify({
    name: 'short', target: { baseUrl: server.url },
    load: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 2, maxVUs: 5 },
    journeys: [{ name: 'get', steps: [{ name: 'root', method: 'GET', path: '/' }] }],
  }));
  return file;
}

test('perfgate report on a run outside a folder of runs writes nothing into its parent, unless --index asks', async () => {
  const parent = join(dir, 'theirs');
  mkdirSync(parent);
  writeFileSync(join(parent, 'notes.txt'), 'not perfgate\'s\n');
  cpSync(FIXTURE, join(parent, 'x'), { recursive: true });
  const r = await runCli(['report', join(parent, 'x')], { cwd: dir });
  assert.equal(r.code, EXIT.ok, r.stderr);
  assert.ok(existsSync(join(parent, 'x', 'report.html')));
  assert.deepEqual(readdirSync(parent).sort(), ['notes.txt', 'x']);
  assert.match(r.stdout, /index: +not written \(.*theirs is not a folder of perfgate runs; --index writes one there\)/);
  const asked = await runCli(['report', join(parent, 'x'), '--index'], { cwd: dir });
  assert.equal(asked.code, EXIT.ok, asked.stderr);
  assert.ok(existsSync(join(parent, 'index.html')));
  assert.match(asked.stdout, /index: +.*theirs\/index\.html/);
});

/** The gate's code: a pass, or invalid when the shared machine starved the load generator; the index is the point here. */
function assertGated(r: { code: number | null; stderr: string }): void {
  assert.ok(r.code === EXIT.ok || r.code === EXIT.invalidRun, `exit ${r.code}: ${r.stderr}`);
}

test('a run writes the index into reports/ and into a parent that --out created, never into a parent that was there', async () => {
  const file = scenarioFile();
  const byDefault = await runCli(['run', file, '--quiet'], { cwd: dir });
  assertGated(byDefault);
  assert.ok(existsSync(join(dir, 'reports', 'index.html')));
  assert.ok(existsSync(join(dir, 'reports', RUNS_FOLDER_MARKER)));

  const created = await runCli(['run', file, '--out', join(dir, 'new', 'run1'), '--quiet'], { cwd: dir });
  assertGated(created);
  assert.ok(existsSync(join(dir, 'new', 'index.html')), 'the index of the folder --out created');
  rmSync(join(dir, 'new', 'index.html'));
  const again = await runCli(['report', join(dir, 'new', 'run1')], { cwd: dir });
  assert.equal(again.code, EXIT.ok, again.stderr);
  assert.ok(existsSync(join(dir, 'new', 'index.html')), 'perfgate report rebuilds the index of a folder perfgate owns');

  const existing = await runCli(['run', file, '--out', join(dir, 'run2'), '--quiet'], { cwd: dir });
  assertGated(existing);
  assert.ok(existsSync(join(dir, 'run2', 'report.html')));
  assert.equal(existsSync(join(dir, 'index.html')), false, 'no index in the parent that was already there');
  assert.equal(existsSync(join(dir, RUNS_FOLDER_MARKER)), false);
});
