// Two scenarios in one run, through the real binary against a loopback server: each runs its own executor and
// journeys from its own startTime, its requests carry the `scenario` tag, and thresholds filtered to a scenario
// are judged separately (the fast scenario passes while the slow one fails), with the run's exit code 99.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDir } from '../../src/results/read.ts';
import type { RequestIntervalRecord } from '../../src/results/format.ts';
import { runCli } from '../support/cli.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';

let server: TestServer;
let dir: string;
before(async () => {
  server = await startJsonServer();
  dir = mkdtempSync(join(tmpdir(), 'perfgate-scenario-map-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a browse scenario and a late write scenario run side by side, each judged on its own thresholds', async () => {
  const file = join(dir, 'mixed.json');
  writeFileSync(file, JSON.stringify({
    name: 'mixed',
    target: { baseUrl: server.url },
    scenarios: {
      browse: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '4s', preAllocatedVUs: 4, maxVUs: 10, exec: 'browse', tags: { team: 'catalogue' } },
      writes: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '2s', preAllocatedVUs: 4, maxVUs: 10, startTime: '2s', exec: { write: 1 } },
    },
    journeys: [
      { name: 'browse', steps: [{ name: 'list', path: '/' }] },
      { name: 'write', steps: [{ name: 'post', method: 'POST', path: '/slow/60', body: { a: 1 } }] },
    ],
    thresholds: {
      'http_req_duration{scenario:browse}': ['p(95)<40'],
      'http_req_duration{scenario:writes}': ['p(95)<40'],
      'http_reqs{scenario:browse}': ['count==80'],
      'http_reqs{scenario:writes}': ['count==20'],
      'http_reqs{team:catalogue}': ['count==80'],
    },
  }));
  const out = join(dir, 'run');
  const r = await runCli(['run', file, '--out', out, '--no-report', '--quiet'], { cwd: dir, timeoutMs: 60_000 });
  const data = await readRunDir(out);
  assert.equal(data.run.status, 'completed', data.run.statusReason);
  assert.equal(r.code, 99, r.stderr);
  const entry = (key: string) => data.verdict!.thresholds.find((t) => t.key === key)!;
  assert.equal(entry('http_req_duration{scenario:browse}').pass, true, 'the fast scenario passes');
  const slow = entry('http_req_duration{scenario:writes}');
  assert.equal(slow.pass, false, 'the slow scenario fails on its own');
  assert.ok(slow.observed! >= 60, `writes p95 ${slow.observed} ms, each answered after 60 ms`);
  // Open-model counts are exact: rate x duration, each scenario its own.
  assert.equal(entry('http_reqs{scenario:browse}').observed, 80);
  assert.equal(entry('http_reqs{scenario:writes}').observed, 20);
  assert.equal(entry('http_reqs{team:catalogue}').observed, 80, "the browse scenario's own tag is on its requests only");

  const reqs = data.intervals.filter((x): x is RequestIntervalRecord => x.type === 'req');
  assert.deepEqual([...new Set(reqs.map((x) => `${x.scenario}/${x.name}`))].sort(), ['browse/list', 'writes/post'], 'each scenario ran its own journey only');
  const firstMs = (s: string) => Math.min(...reqs.filter((x) => x.scenario === s).map((x) => x.tMs));
  const lastMs = (s: string) => Math.max(...reqs.filter((x) => x.scenario === s).map((x) => x.tMs));
  assert.ok(firstMs('writes') - firstMs('browse') >= 1000, `writes starts 2 s after browse (first intervals ${firstMs('browse')} and ${firstMs('writes')} ms)`);
  assert.ok(lastMs('writes') <= lastMs('browse') + 1000, 'both end with the load (2 s + 2 s = 4 s)');
  assert.deepEqual(data.run.load.scenarios?.map((s) => [s.name, s.executor, s.startMs, s.peakRatePerS]), [
    ['browse', 'constant-arrival-rate', 0, 20],
    ['writes', 'constant-arrival-rate', 2000, 10],
  ]);
  assert.equal(data.run.plannedDurationMs, 4000);
});
