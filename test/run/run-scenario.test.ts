import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_LAG_JUDGED_MS, runScenario, saturationLimits } from '../../src/run/run-scenario.ts';
import { readRunDir } from '../../src/results/read.ts';
import { HostNotAllowedError, InvalidRunError } from '../../src/errors.ts';
import type { RequestIntervalRecord, TickIntervalRecord, IntervalRecord } from '../../src/results/format.ts';
import type { ScenarioDefinition } from '../../src/scenario/types.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';

let server: TestServer;
// This machine is shared and the test server runs in this process: only the saturation test uses the real limits.
const relaxed = { maxLoopLagP99Ms: 10_000, maxDroppedShare: 1 };
let reports: string;
before(async () => {
  server = await startJsonServer();
  reports = mkdtempSync(join(tmpdir(), 'perfgate-run-'));
});
after(async () => {
  await server.close();
  rmSync(reports, { recursive: true, force: true });
});

function def(over: Partial<ScenarioDefinition> = {}): ScenarioDefinition {
  return {
    name: 'run-test',
    target: { baseUrl: server.url },
    load: { executor: 'constant-vus', vus: 2, duration: '2s' },
    setup: { steps: [{ name: 'token', method: 'POST', path: '/token', capture: { token: '$.access_token' } }] },
    journeys: [{ name: 'j', steps: [{ name: 'echo', path: '/echo', headers: { authorization: 'Bearer {{token}}' }, check: { bodyIncludes: 'tok-123' }, think: '10ms' }] }],
    ...over,
  };
}

const reqs = (rs: IntervalRecord[]) => rs.filter((r): r is RequestIntervalRecord => r.type === 'req');
const ticks = (rs: IntervalRecord[]) => rs.filter((r): r is TickIntervalRecord => r.type === 'tick');

test('a run writes run.json, streamed intervals and summary.json, calling every hook in order', async () => {
  const calls: string[] = [];
  let loadStartMs = NaN;
  const handle = runScenario({
    scenario: def(),
    reportsDir: reports, saturation: relaxed,
    hooks: {
      beforeLoad: (ctx) => {
        calls.push('beforeLoad');
        ctx.writeSample({ tMs: ctx.clock(), source: 'test', metric: 'x', value: 1 });
      },
      onLoadStart: (ms) => {
        calls.push('onLoadStart');
        loadStartMs = ms;
      },
      onInterval: () => void calls.push('onInterval'),
      afterLoad: () => void calls.push('afterLoad'),
      finalize: async ({ run }) => {
        calls.push(`finalize:${run.status}`);
        return { exitCode: 0 };
      },
    },
  });
  let started = false;
  const live: IntervalRecord[] = [];
  handle.on('start', () => (started = true));
  handle.on('tick', (rs) => live.push(...rs));
  const outcome = await handle;
  assert.equal(started, true);
  assert.equal(outcome.exitCode, 0, outcome.run.statusReason);
  assert.deepEqual(calls.slice(0, 2), ['beforeLoad', 'onLoadStart']);
  assert.equal(loadStartMs % 1000, 0, `the load starts on the interval grid (${loadStartMs} ms), so its first interval is a whole one`);
  assert.equal(ticks(live)[0]?.tMs, loadStartMs, 'the first interval is the one the load starts at');
  assert.ok(calls.filter((c) => c === 'onInterval').length >= 2, calls.join());
  assert.deepEqual(calls.slice(-2), ['afterLoad', 'finalize:completed']);
  const data = await readRunDir(outcome.runDir);
  assert.equal(data.run.status, 'completed');
  assert.equal(data.run.exitCode, 0);
  assert.equal(data.samples.length, 1);
  assert.ok(data.summary, 'summary.json exists');
  assert.deepEqual(data.intervals, live, 'the file holds exactly what was emitted live');
  const echo = reqs(data.intervals);
  const total = echo.reduce((a, r) => a + r.count, 0);
  assert.ok(total > 20, `only ${total} requests`);
  assert.equal(echo.reduce((a, r) => a + r.checksFailed, 0), 0, 'the setup token reached every VU');
  const runText = readFileSync(join(outcome.runDir, 'run.json'), 'utf8');
  assert.equal(runText.includes('Bearer {{token}}'), false, 'the authorization header is redacted');
  assert.equal(existsSync(join(reports, 'latest')), true, 'latest exists');
});

test('a run without --start-at raises no warning: an error event with no listener would crash the run', async () => {
  const handle = runScenario({ scenario: def({ load: { executor: 'constant-vus', vus: 1, duration: '1s' } }), reportsDir: reports, saturation: relaxed });
  const errors: string[] = [];
  handle.on('error', (e: Error) => errors.push(e.message));
  const outcome = await handle;
  assert.equal(outcome.run.status, 'completed');
  assert.deepEqual(errors, []);
});

test('aborting through the signal ends the run as interrupted with exit 105 and keeps what was measured', async () => {
  const ac = new AbortController();
  const handle = runScenario({ scenario: def({ load: { executor: 'constant-vus', vus: 2, duration: '20s' } }), reportsDir: reports, saturation: relaxed, signal: ac.signal });
  handle.on('tick', () => ac.abort());
  const outcome = await handle;
  assert.equal(outcome.exitCode, 105);
  const data = await readRunDir(outcome.runDir);
  assert.equal(data.run.status, 'interrupted');
  assert.ok(reqs(data.intervals).length >= 1, 'intervals were kept');
  assert.ok(data.run.durationMs! < 6000, `took ${data.run.durationMs} ms`);
});

test('an onInterval abort stops the load and marks the run aborted', async () => {
  const outcome = await runScenario({
    scenario: def({ load: { executor: 'constant-vus', vus: 1, duration: '20s' } }),
    reportsDir: reports, saturation: relaxed,
    hooks: { onInterval: () => ({ abort: 'threshold http_req_duration p(95)<1 failed' }) },
  });
  assert.equal(outcome.run.status, 'aborted');
  assert.equal(outcome.run.statusReason, 'threshold http_req_duration p(95)<1 failed');
  assert.equal(outcome.exitCode, 99);
});

test('two workers share the load and their intervals merge into one record per step and second', async () => {
  const outcome = await runScenario({
    scenario: def({ load: { executor: 'constant-arrival-rate', rate: 200, timeUnit: '1s', duration: '2s', preAllocatedVUs: 10, maxVUs: 40 } }),
    reportsDir: reports, saturation: relaxed,
    workers: 2,
  });
  const data = await readRunDir(outcome.runDir);
  const rs = reqs(data.intervals);
  const total = rs.reduce((a, r) => a + r.count, 0);
  const dropped = ticks(data.intervals).reduce((a, t) => a + t.droppedIterations, 0);
  assert.equal(total + dropped, 400, 'every scheduled iteration is counted exactly once across workers');
  const keys = rs.map((r) => `${r.tMs}:${r.name}`);
  assert.equal(new Set(keys).size, keys.length, 'one merged record per interval and step');
  assert.equal(new Set(ticks(data.intervals).map((t) => t.tMs)).size, ticks(data.intervals).length);
  assert.equal(ticks(data.intervals)[0]!.targetRatePerS, 200);
  assert.equal(data.run.environment.workers, 2);
});

test('a non-loopback target is refused before any request and before a run directory exists', async () => {
  await assert.rejects(runScenario({ scenario: def({ target: { baseUrl: 'http://10.255.255.1:80' } }), out: join(reports, 'refused') }).promise, HostNotAllowedError);
  assert.equal(existsSync(join(reports, 'refused')), false);
});

test('a failing setup makes the run invalid and says which step failed', async () => {
  const d = def({ setup: { steps: [{ name: 'login', path: '/status/401', capture: { token: '$.access_token' } }] } });
  await assert.rejects(runScenario({ scenario: d, out: join(reports, 'bad-setup') }).promise, (e: unknown) => e instanceof InvalidRunError && /setup step "login"/.test(e.message));
  const data = await readRunDir(join(reports, 'bad-setup'));
  assert.equal(data.run.status, 'invalid');
  assert.equal(data.run.exitCode, 103);
});

test('a generator that cannot hold the schedule makes the run invalid with exit 103 and says why', async () => {
  const outcome = await runScenario({
    scenario: def({ setup: undefined, load: { executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs: 1 },
      journeys: [{ name: 'j', steps: [{ name: 'slow', path: '/slow/300' }] }] }),
    reportsDir: reports,
    saturation: { maxLoopLagP99Ms: 10_000 },
  });
  assert.equal(outcome.exitCode, 103);
  assert.equal(outcome.run.status, 'invalid');
  assert.match(outcome.run.statusReason ?? '', /iterations .* were dropped/);
});

test('a load shorter than 10 s is not judged on its loop lag: a p99 of fewer than 1,000 samples is its start-up pause', async () => {
  const outcome = await runScenario({
    scenario: def({ setup: undefined, journeys: [{ name: 'j', steps: [{ name: 'echo', path: '/echo' }] }], load: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '2s', preAllocatedVUs: 2, maxVUs: 5 } }),
    reportsDir: reports,
    saturation: { maxLoopLagP99Ms: 0.001, maxDroppedShare: 1 },
  });
  assert.equal(outcome.run.status, 'completed', outcome.run.statusReason);
  assert.equal(outcome.exitCode, 0);
  assert.equal(MIN_LAG_JUDGED_MS, 10_000);
});

test('finalize gets the run directory read once, and summary.json is written once: by a finalize that returns it, else by the run', async () => {
  let seen: { intervals: number; samples: number; status: string } | undefined;
  const gated = await runScenario({
    scenario: def({ load: { executor: 'constant-vus', vus: 1, duration: '1s' } }),
    reportsDir: reports, saturation: relaxed,
    hooks: {
      beforeLoad: (ctx) => ctx.writeSample({ tMs: ctx.clock(), source: 'test', metric: 'x', value: 1 }),
      finalize: async ({ data }) => {
        seen = { intervals: data.intervals.length, samples: data.samples.length, status: data.run.status };
        // A gate that judged the run owns summary.json: the run must not write one of its own.
        return { exitCode: 0, summary: { format: 1, state: { testRunDurationMs: 0, status: 'completed' }, metrics: {} } };
      },
    },
  });
  assert.ok(seen && seen.intervals > 0 && seen.samples === 1, JSON.stringify(seen));
  assert.equal(seen.status, 'completed', 'finalize sees the final run.json');
  assert.ok(!existsSync(join(gated.runDir, 'summary.json')), 'the run wrote no summary.json of its own');
  const plain = await runScenario({ scenario: def({ load: { executor: 'constant-vus', vus: 1, duration: '1s' } }), reportsDir: reports, saturation: relaxed });
  assert.ok(existsSync(join(plain.runDir, 'summary.json')), 'without a gate, the run writes summary.json');
});

test('saturation limits: the caller\'s, else the scenario\'s, else none (the defaults apply)', () => {
  const cases: Array<[string, { maxLoopLagP99?: string; maxDroppedShare?: number } | undefined, { maxLoopLagP99Ms?: number; maxDroppedShare?: number } | undefined, object]> = [
    ['neither', undefined, undefined, {}],
    ['the scenario\'s, as ms', { maxLoopLagP99: '1s', maxDroppedShare: 0.05 }, undefined, { maxLoopLagP99Ms: 1000, maxDroppedShare: 0.05 }],
    ['the caller\'s wins per field', { maxLoopLagP99: '1s', maxDroppedShare: 0.05 }, { maxLoopLagP99Ms: 10_000 }, { maxLoopLagP99Ms: 10_000, maxDroppedShare: 0.05 }],
    ['the caller\'s alone', undefined, { maxDroppedShare: 1 }, { maxDroppedShare: 1 }],
  ];
  for (const [what, own, given, want] of cases) assert.deepEqual(saturationLimits({ saturation: own }, given), want, what);
});

test('a scenario\'s saturation limit makes a run invalid that the defaults would pass', async () => {
  // Every iteration scheduled at 200/s on one VU with 50 ms responses: most are dropped. A 0-share limit on a load
  // that drops is invalid; the same load under the caller's relaxed limits is not.
  const scenario = def({ load: { executor: 'constant-arrival-rate', rate: 200, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs: 1 }, saturation: { maxDroppedShare: 0 } });
  const strict = await runScenario({ scenario, reportsDir: reports, saturation: { maxLoopLagP99Ms: 10_000 } });
  assert.equal(strict.run.status, 'invalid', strict.run.statusReason);
  assert.match(strict.run.statusReason ?? '', /limit 0%/);
  const relaxedRun = await runScenario({ scenario, reportsDir: reports, saturation: relaxed });
  assert.notEqual(relaxedRun.run.status, 'invalid');
});
