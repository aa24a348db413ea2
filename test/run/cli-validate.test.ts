// `perfgate run` validates the whole scenario before the load, through the real binary: every mistake at once, exit
// 104, no run directory; data files found from the scenario file.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDir } from '../../src/results/read.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'perfgate.js');
let server: TestServer;
let dir: string;
/** The working directory of the runs: nothing may appear in it when validation fails. */
let work: string;
/** A folder elsewhere, holding scenarios and their data files. */
let elsewhere: string;

before(async () => {
  server = await startJsonServer();
  dir = mkdtempSync(join(tmpdir(), 'perfgate-cli-validate-'));
  work = join(dir, 'work');
  elsewhere = join(dir, 'elsewhere');
  mkdirSync(work);
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, 'ids.csv'), 'id,code\n1,204\n2,204\n3,204\n');
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const { PERFGATE_TEST_UNSET: _unset, ...childEnv } = process.env;

type Result = { code: number | null; stdout: string; stderr: string };

function cli(args: string[], cwd = work): Promise<Result> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** A short open-model scenario against the test server, with `patch` applied. */
function scenario(name: string, patch: Record<string, unknown> = {}, folder = elsewhere): string {
  const file = join(folder, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name,
    target: { baseUrl: server.url },
    load: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 2, maxVUs: 5 },
    journeys: [{ name: 'read', steps: [{ name: 'item', method: 'GET', path: '/status/{{id.code}}' }] }],
    data: { id: { file: 'ids.csv' } },
    ...patch,
  }));
  return file;
}

/** Asserts a refused run: exit 104, and nothing written (no run directory, no reports/ folder). */
function assertRefused(r: Result, out: string): void {
  assert.equal(r.code, 104, r.stderr);
  assert.equal(existsSync(out), false, 'no run directory for a run that never started');
  assert.equal(existsSync(join(work, 'reports')), false, 'no reports folder either');
  assert.doesNotMatch(r.stderr, /running .* against/, 'the load never started');
}

test('a typo in a template variable is refused before the load, naming journey, step and variable', async () => {
  const file = scenario('typo', { journeys: [{ name: 'read', steps: [{ name: 'item', method: 'GET', path: '/items/{{idd}}' }] }] });
  const out = join(work, 'typo-run');
  const r = await cli(['run', file, '--out', out]);
  assertRefused(r, out);
  assert.match(r.stderr, /journeys\[0\]\.steps\[0\]\.path: journey "read", step "item": unknown template variable "idd": .*\(did you mean "id"\?\)/);
  assert.doesNotMatch(r.stderr, /template error/);
});

test('a capture is available only to the steps after it', async () => {
  const file = scenario('order', {
    journeys: [{ name: 'login-then-read', steps: [
      { name: 'read', method: 'GET', path: '/echo', headers: { authorization: 'Bearer {{token}}' } },
      { name: 'login', method: 'GET', path: '/token', capture: { token: '$.access_token' } },
      { name: 'again', method: 'GET', path: '/echo', headers: { authorization: 'Bearer {{token}}' } },
    ] }],
  });
  const out = join(work, 'order-run');
  const r = await cli(['run', file, '--out', out]);
  assertRefused(r, out);
  assert.match(r.stderr, /journeys\[0\]\.steps\[0\]\.headers\.authorization: journey "login-then-read", step "read": template variable "token" is captured only by journeys\[0\]\.steps\[1\], which runs later/);
  assert.doesNotMatch(r.stderr, /steps\[2\]/, 'the step after the capture is fine');
});

test('an unset environment variable in a template is refused before the load', async () => {
  const file = scenario('env', { journeys: [{ name: 'read', steps: [{ name: 'item', method: 'GET', path: '/echo?k={{env.PERFGATE_TEST_UNSET}}' }] }] });
  const out = join(work, 'env-run');
  const r = await cli(['run', file, '--out', out]);
  assertRefused(r, out);
  assert.match(r.stderr, /journey "read", step "item": environment variable PERFGATE_TEST_UNSET is not set/);
});

test('schema, threshold, template, phase, data-file and fault mistakes are all reported in one pass', async () => {
  const file = scenario('many', {
    load: { executor: 'ramping-vus', startVUs: 1, stages: [{ duration: '2s', target: 1, name: 'steady' }], gracefulRampDwn: '1s' },
    journeys: [{ name: 'read', steps: [{ name: 'item', method: 'GET', path: '/items/{{nope}}' }] }],
    data: { id: { file: 'missing.csv' } },
    thresholds: { http_req_duraton: ['p(95)<200'], 'http_req_failed{phase:stedy}': ['rate<0.01'], http_req_failed: ['rate<<1'] },
    faults: [{ action: 'redis-stop', at: '1s', duration: '1s' }],
  });
  const out = join(work, 'many-run');
  const r = await cli(['run', file, '--out', out]);
  assertRefused(r, out);
  const expected: RegExp[] = [
    /load\.gracefulRampDwn: unknown field \(did you mean "gracefulRampDown"\?\)/, // schema
    /thresholds\["http_req_duraton"\]\[0\]: unknown metric "http_req_duraton" \(did you mean "http_req_duration"\?\)/, // thresholds
    /thresholds\["http_req_failed"\]\[0\]: bad operator "<<"/,
    /thresholds\["http_req_failed\{phase:stedy\}"\]: phase "stedy" names no stage of the load \(did you mean "steady"\?/, // phases
    /journeys\[0\]\.steps\[0\]\.path: journey "read", step "item": unknown template variable "nope"/, // templates
    new RegExp(`data\\.id\\.file: file "missing\\.csv" does not exist \\(looked for ${join(elsewhere, 'missing.csv').replaceAll('.', '\\.')}\\)`), // files
    /faults: faults are injected through the lab: run with --lab/, // the gate's own checks
  ];
  for (const re of expected) assert.match(r.stderr, re);
  assert.match(r.stderr, /\(7 problems\)/);
});

test('data files resolve from the scenario file, not the working directory; an absolute path is accepted', async () => {
  const relative = await cli(['run', scenario('beside'), '--out', join(work, 'beside-run'), '--quiet']);
  assert.ok(relative.code === 0 || relative.code === 103, `exit ${relative.code}: ${relative.stderr}`);
  const data = await readRunDir(join(work, 'beside-run'));
  const statuses = data.intervals.flatMap((rec) => (rec.type === 'req' ? Object.keys(rec.statuses) : []));
  assert.ok(statuses.length > 0 && statuses.every((s) => s === '204'), `every request used a row of ids.csv: ${statuses}`);

  const absolute = await cli(['run', scenario('absolute', { data: { id: { file: join(elsewhere, 'ids.csv') } } }, work), '--out', join(work, 'absolute-run'), '--quiet']);
  assert.ok(absolute.code === 0 || absolute.code === 103, `exit ${absolute.code}: ${absolute.stderr}`);
  rmSync(join(work, 'beside-run'), { recursive: true });
  rmSync(join(work, 'absolute-run'), { recursive: true });
  rmSync(join(work, 'absolute.json'));
});

test('a phase that the profile scales too short to hold data is refused, naming phase, profile and threshold', async () => {
  const file = join(ROOT, 'fixtures', 'scenarios', 'short-recovery.json');
  const out = join(work, 'short-run');
  const r = await cli(['run', file, '--profile', 'smoke', '--target', server.url, '--out', out]);
  assertRefused(r, out);
  assert.match(r.stderr, /thresholds\["http_req_failed\{phase:recovery\}"\]: at the smoke profile, phase "recovery" lasts 1\.2s and is expected to hold about 0\.6 requests: too little to judge "rate==0"/);
});

test('an unknown scenario name lists only the modules whose default export is a scenario', async () => {
  const r = await cli(['run', 'nosuch'], ROOT);
  assert.equal(r.code, 104, r.stderr);
  const known = /known scenarios: (.*)/.exec(r.stderr)?.[1]?.split(', ') ?? [];
  assert.ok(known.includes('baseline') && known.includes('upstream-outage'), r.stderr);
  for (const helper of ['drill-kit', 'journeys', 'slos']) assert.ok(!known.includes(helper), `${helper} is not a scenario: ${r.stderr}`);
});

test('--prometheus without --lab is refused, naming the flag', async () => {
  const file = scenario('prom');
  const out = join(work, 'prom-run');
  const r = await cli(['run', file, '--out', out, '--prometheus']);
  assertRefused(r, out);
  assert.match(r.stderr, /--prometheus: runs the lab's Prometheus, so it needs --lab/);
});

test('perfgate clinic takes run\'s load options and refuses their mistakes the same way, before starting the service', async () => {
  const file = scenario('clinic-opts');
  const out = join(work, 'clinic-run');
  const marker = join(dir, 'service-started');
  const r = await cli(['clinic', 'flame', file, '--out', out, '--vus', 'many', '--ca-file', join(dir, 'missing.pem'), '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`]);
  assertRefused(r, out);
  assert.match(r.stderr, /--vus/);
  assert.match(r.stderr, /--ca-file: .*missing\.pem cannot be read/);
  assert.ok(!existsSync(marker), 'the service was not started');
  const help = await cli(['clinic', '--help']);
  for (const flag of ['--vus', '--duration', '--stage', '--ca-file', '--keep-bodies', '--json']) assert.match(help.stdout, new RegExp(`${flag}\\b`), flag);
});
