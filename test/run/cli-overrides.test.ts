// `perfgate run --vus/--duration/--iterations/--rate/--stage` through the real binary: an override that fits the
// scenario's executor replaces its field (after the profile); one that does not is refused, exit 104, naming the flag.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';
import { readRunDir } from '../../src/results/read.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';

let server: TestServer;
let dir: string;

before(async () => {
  server = await startJsonServer();
  dir = mkdtempSync(join(tmpdir(), 'perfgate-cli-overrides-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function scenario(load: Record<string, unknown>): string {
  const file = join(dir, `s-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ name: 'ov', target: { baseUrl: server.url }, load, journeys: [{ name: 'j', steps: [{ name: 'root', path: '/' }] }] }));
  return file;
}

test('--stage on a constant-vus scenario is refused before the load, naming the flag and what fits', async () => {
  const out = join(dir, 'refused');
  const r = await runCli(['run', scenario({ executor: 'constant-vus', vus: 1, duration: '1s' }), '--stage', '1s:2', '--rate', '5', '--out', out, '--no-report'], { cwd: dir });
  assert.equal(r.code, 104, r.stderr);
  assert.match(r.stderr, /--stage: does not fit the scenario's constant-vus executor, which has no stages \(the flags that fit it: --vus, --duration\)/);
  assert.match(r.stderr, /--rate: does not fit/);
  assert.equal(existsSync(out), false, 'no run directory');
});

test('a malformed --stage is refused with exit 104', async () => {
  const r = await runCli(['run', scenario({ executor: 'ramping-vus', stages: [{ duration: '1s', target: 1 }] }), '--stage', 'later'], { cwd: dir });
  assert.equal(r.code, 104, r.stderr);
  assert.match(r.stderr, /--stage: must be DURATION:TARGET/);
});

test('--iterations and --vus run a shared-iterations scenario with exactly the values given', async () => {
  const out = join(dir, 'iters');
  const r = await runCli(['run', scenario({ executor: 'shared-iterations', vus: 1, iterations: 1 }), '--vus', '2', '--iterations', '9', '--out', out, '--no-report', '--quiet'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const data = await readRunDir(out);
  const ticks = data.intervals.filter((x) => x.type === 'tick');
  assert.equal(ticks.reduce((a, t) => a + (t.type === 'tick' ? t.iterations : 0), 0), 9);
  assert.deepEqual((data.run.config as { load: unknown }).load, { executor: 'shared-iterations', vus: 2, iterations: 9 });
});
