import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestLab, type Lab } from '../support/lab.ts';
import { groupMembers, isAlive } from '../../src/lab/process.ts';
import { isPortInUse } from '../../src/lab/free-port.ts';
import { TARGET_MAIN, UPSTREAM_MAIN } from '../../src/lab/target-process.ts';

const skip = !existsSync(TARGET_MAIN) || !existsSync(UPSTREAM_MAIN) ? 'the reference target is not in this checkout' : false;

/** GET a URL and return its status (0 when the connection fails). */
async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Polls until GET url answers `want`, for at most timeoutMs; returns the last status. */
async function waitForStatus(url: string, want: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    last = await status(url);
    if (last === want) return last;
    await sleep(100);
  }
  return last;
}

describe('the whole lab, with PgBouncer and two target workers', { skip }, () => {
  let lab: Lab;
  const lines: string[] = [];

  before(async () => {
    lab = await startTestLab({ pgbouncer: true, workers: 2, onLog: (l) => lines.push(l) });
  });

  after(async () => {
    await lab?.stop();
  });

  test('every service is ready, in order, and the LabInfo points at it', async () => {
    const order = lines.map((l) => /^(\w+) ready on /.exec(l)?.[1]).filter(Boolean);
    assert.deepEqual(order, ['postgres', 'redis', 'pgbouncer', 'upstream', 'target']);
    const { info } = lab;
    assert.equal(info.metricsUrl, `${info.targetUrl}/metrics`);
    assert.equal(info.upstreamControlUrl, `${info.upstreamUrl}/__control`);
    assert.match(info.pgbouncerUrl ?? '', /^postgres:\/\/perfgate_app:.+@127\.0\.0\.1:\d+\/perfgate$/);
    assert.equal(await status(`${info.targetUrl}/health/ready`), 200);
    assert.equal(await status(info.metricsUrl), 401, '/metrics is behind the lab\'s bearer token');
    assert.match(info.metricsToken ?? '', /^[\w-]{32}$/);
    assert.equal(await status(info.metricsUrl, { authorization: `Bearer ${info.metricsToken}` }), 200);
    const tokens = readFileSync(info.tokensFile, 'utf8').trim().split('\n');
    assert.equal(tokens[0], 'token');
    assert.equal(tokens.length, 51);
    assert.equal(groupMembers(info.services.target!.pid).length, 3, 'the primary and two workers');
  });

  test('the upstream control endpoint takes a fault and answers JSON', async () => {
    const answer = await lab.faults.upstream({ latencyMs: 5 });
    assert.equal(typeof answer, 'object');
    await lab.faults.upstream({ latencyMs: 0 });
  });

  test('a killed worker is gone and the target keeps answering', async () => {
    const victim = await lab.faults.killWorker();
    const deadline = Date.now() + 5_000;
    while (isAlive(victim) && Date.now() < deadline) await sleep(50);
    assert.equal(isAlive(victim), false);
    assert.equal(await waitForStatus(`${lab.info.targetUrl}/health/live`, 200, 10_000), 200);
  });

  test('Redis stops and comes back on the same port, and the target is ready again', async () => {
    const port = lab.info.services.redis!.port;
    await lab.faults.redisStop();
    assert.equal(await isPortInUse(port), false);
    assert.notEqual(await waitForStatus(`${lab.info.targetUrl}/health/ready`, 503, 5_000), 200, 'not ready without Redis');
    await lab.faults.redisStart();
    assert.equal(lab.info.services.redis!.port, port);
    assert.equal(await waitForStatus(`${lab.info.targetUrl}/health/ready`, 200, 15_000), 200);
  });

  test('PostgreSQL restarts with a new PID and the target is ready again', async () => {
    const before = lab.info.services.postgres!.pid;
    await lab.faults.postgresRestart();
    assert.notEqual(lab.info.services.postgres!.pid, before);
    assert.equal(isAlive(before), false);
    assert.equal(await waitForStatus(`${lab.info.targetUrl}/health/ready`, 200, 15_000), 200);
  });

  test('stop() leaves no process, no port and no folder behind', async () => {
    const services = Object.values(lab.info.services);
    const workers = groupMembers(lab.info.services.target!.pid);
    const t0 = Date.now();
    await lab.stop();
    const stopMs = Date.now() - t0;
    assert.ok(stopMs < 15_000, `stopped in ${stopMs} ms: ${lines.filter((l) => /stopped|removed/.test(l)).join('; ')}`);
    for (const svc of services) {
      assert.equal(isAlive(svc.pid), false, `pid ${svc.pid} is gone`);
      assert.deepEqual(groupMembers(svc.pid), [], `process group ${svc.pid} is empty`);
      assert.equal(await isPortInUse(svc.port), false, `port ${svc.port} is free`);
    }
    for (const pid of workers) assert.equal(isAlive(pid), false, `worker ${pid} is gone`);
    assert.equal(existsSync(lab.info.stateDir), false);
  });
});
