// A gated run without the lab, against a real local server: live abortOnFail, and the mistakes that must stop a run
// before any request is sent.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStallServer, type TestServer } from '../support/servers.ts';
import { runWithGate, fillLabConnections } from '../../src/run/gate-run.ts';
import { readRunDir } from '../../src/results/read.ts';
import { ConfigError } from '../../src/errors.ts';
import { writeFile } from 'node:fs/promises';
import type { ScenarioDefinition } from '../../src/scenario/types.ts';

let server: TestServer;
let dir: string;
before(async () => {
  server = await startStallServer({ periodMs: 1000, stallMs: 600 });
  dir = await mkdtemp(join(tmpdir(), 'perfgate-gate-'));
});
after(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Writes a scenario file against the test server and returns its path. */
async function scenarioFile(name: string, extra: Partial<ScenarioDefinition>): Promise<string> {
  const def: ScenarioDefinition = {
    name,
    target: { baseUrl: server.url },
    load: { executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '20s', preAllocatedVUs: 20, maxVUs: 100 },
    journeys: [{ name: 'get', steps: [{ name: 'root', method: 'GET', path: '/' }] }],
    ...extra,
  };
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(def));
  return path;
}

test('an abortOnFail threshold stops the load early, and the run is aborted with exit 99 and a report', async () => {
  const scenario = await scenarioFile('abort', { thresholds: { http_req_duration: [{ threshold: 'p(95)<50', abortOnFail: true, delayAbortEval: '2s' }] } });
  const outcome = await runWithGate({ scenario, reportsDir: dir, cwd: dir, saturation: { maxLoopLagP99Ms: 1000 } });
  const data = await readRunDir(outcome.runDir);
  assert.equal(data.run.status, 'aborted', data.run.statusReason);
  assert.equal(outcome.exitCode, 99);
  assert.equal(data.verdict?.status, 'aborted');
  assert.equal(data.run.abortedBy?.key, 'http_req_duration');
  assert.equal(data.run.abortedBy?.expression, 'p(95)<50');
  assert.ok((data.run.abortedBy?.atMs ?? 0) >= 2000, `aborted at ${data.run.abortedBy?.atMs} ms, after delayAbortEval`);
  assert.match(data.verdict?.reason ?? '', /^aborted by http_req_duration p\(95\)<50 at \d+ s \(observed [\d.]+ ms on the data so far\)/);
  assert.equal(data.verdict?.thresholds[0].aborted, true);
  assert.equal(data.verdict?.thresholds[0].abortedAtMs, data.run.abortedBy?.atMs);
  assert.ok((data.run.durationMs ?? Infinity) < 15_000, `stopped after ${data.run.durationMs} ms of a 20 s load`);
  assert.ok(existsSync(join(outcome.runDir, 'report.html')));
});

test('a bad threshold expression is exit 104 before any request reaches the target', async () => {
  const before = server.arrivals.length;
  const scenario = await scenarioFile('bad-threshold', { thresholds: { http_req_duration: ['p(95)<<100'] } });
  await assert.rejects(
    runWithGate({ scenario, reportsDir: dir, cwd: dir }).promise,
    (err: unknown) => err instanceof ConfigError && err.exitCode === 104 && /http_req_duration/.test(err.message) && /p\(95\)<<100/.test(err.message),
  );
  assert.equal(server.arrivals.length, before, 'no request was sent');
});

test('faults and lab connections without --lab are configuration errors naming the field', async () => {
  const faults = await scenarioFile('faults', { faults: [{ action: 'redis-stop', at: '1s', duration: '1s' }] });
  await assert.rejects(runWithGate({ scenario: faults, reportsDir: dir, cwd: dir }).promise, /faults: faults are injected through the lab: run with --lab/);
  const def = { connections: { db: { url: 'lab:pgbouncer' } } } as unknown as ScenarioDefinition;
  assert.throws(() => fillLabConnections(def, undefined), /connections\.db\.url: lab:pgbouncer needs --lab/);
  assert.throws(() => fillLabConnections(def, { databaseUrl: 'postgres://a@127.0.0.1/x' }), /the lab has no PgBouncer/);
  const filled = fillLabConnections(def, { databaseUrl: 'postgres://a@127.0.0.1/x', pgbouncerUrl: 'postgres://a@127.0.0.1:6432/x' });
  assert.equal(filled.connections?.db?.url, 'postgres://a@127.0.0.1:6432/x');
});
