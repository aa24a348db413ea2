import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';

let server: TestServer;
let dir: string;
before(async () => {
  server = await startJsonServer();
  dir = mkdtempSync(join(tmpdir(), 'perfgate-redact-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a one-second scenario whose step carries a signature header, a key= parameter and a pw= inside a body field. */
async function runWithSecrets(name: string, extra: string[]): Promise<{ runJson: string; status: number | null; stderr: string }> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name, target: { baseUrl: server.url },
    load: { executor: 'constant-arrival-rate', rate: 5, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs: 2 },
    journeys: [{ name: 'j', steps: [{
      name: 'signed', method: 'POST', path: '/x?key=KEYVALUE1&page=2',
      headers: { 'X-Signature': 'SIGVALUE1', accept: 'application/json' },
      body: { user: 'USERVALUE1', note: 'login pw=PWVALUE1', count: 3 },
    }] }],
  }));
  const out = join(dir, name);
  const r = await runCli(['run', file, '--out', out, '--quiet', '--no-report', ...extra], { cwd: dir, timeoutMs: 60_000 });
  return { runJson: readFileSync(join(out, 'run.json'), 'utf8'), status: r.code, stderr: r.stderr };
}

test('run.json hides a signature header, a key= parameter and a pw= in a body field, and keeps only the body\'s shape', async () => {
  const { runJson, status, stderr } = await runWithSecrets('shape', []);
  assert.ok(status === 0 || status === 103, `exit ${status}: ${stderr}`); // 103: a loaded machine; redaction is what is tested
  for (const secret of ['SIGVALUE1', 'KEYVALUE1', 'PWVALUE1', 'USERVALUE1']) assert.ok(!runJson.includes(secret), `${secret} in run.json`);
  const step = JSON.parse(runJson).config.journeys[0].steps[0];
  assert.deepEqual(step.headers, { 'X-Signature': '***', accept: 'application/json' });
  assert.equal(step.path, '/x?key=***&page=2');
  assert.deepEqual(step.body, { user: '<string>', note: '<string>', count: '<number>' });
});

test('--keep-bodies keeps the body in run.json, with its secrets still hidden', async () => {
  const { runJson, status, stderr } = await runWithSecrets('kept', ['--keep-bodies']);
  assert.ok(status === 0 || status === 103, `exit ${status}: ${stderr}`);
  for (const secret of ['SIGVALUE1', 'KEYVALUE1', 'PWVALUE1']) assert.ok(!runJson.includes(secret), `${secret} in run.json`);
  assert.deepEqual(JSON.parse(runJson).config.journeys[0].steps[0].body, { user: 'USERVALUE1', note: 'login pw=***', count: 3 });
});
