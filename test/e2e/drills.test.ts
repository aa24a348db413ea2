// The resilience drills at their ci profile against one real lab (two target workers): each promise holds on the
// healthy target. Then a deliberately broken lab (breaker that never opens, rate limiter failing closed, a single
// worker) makes each drill fail with the right SLO named.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestLab, type Lab } from '../support/lab.ts';
import { explain, failures, gatedRun, tempReports } from './support.ts';

describe('resilience drills on a healthy target', { timeout: 600_000 }, () => {
  let lab: Lab;
  let reports: Awaited<ReturnType<typeof tempReports>>;
  before(async () => {
    reports = await tempReports();
    lab = await startTestLab({ workers: 2 });
  });
  after(async () => {
    await lab?.stop();
    await reports?.cleanup();
  });

  test('upstream-outage: the breaker opens within 10 s, quotes degrade fast, nothing cascades, the breaker closes', async () => {
    const { exitCode, data } = await gatedRun({ scenario: 'upstream-outage', profile: 'ci', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 0, explain(data));
    assert.equal(data.run.faults.length, 1);
    assert.equal(data.run.faults[0]!.name, 'upstream-outage');
    const delay = data.samples.find((s) => s.metric === 'breaker_open_delay');
    assert.ok(delay && delay.value !== null && delay.value < 10_000, JSON.stringify(delay));
  });

  test('cache-outage: the API answers from PostgreSQL while Redis is down, and the hit ratio recovers', async () => {
    const { exitCode, data } = await gatedRun({ scenario: 'cache-outage', profile: 'ci', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 0, explain(data));
    assert.ok(data.samples.some((s) => s.source === 'redis' && s.value === null), 'the Redis collector saw the outage as a gap');
  });

  test('worker-crash: the killed worker is replaced and the recovery time is measured against the RTO', async () => {
    const { exitCode, data } = await gatedRun({ scenario: 'worker-crash', profile: 'ci', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 0, explain(data));
    const recovery = data.samples.find((s) => s.metric === 'recovery_time');
    assert.ok(recovery && recovery.value !== null && recovery.value < 600_000, JSON.stringify(recovery));
    assert.notEqual(recovery.labels?.recovered, 'false');
  });
});

describe('resilience drills on a broken target fail with the right SLO', { timeout: 600_000 }, () => {
  let lab: Lab;
  let reports: Awaited<ReturnType<typeof tempReports>>;
  before(async () => {
    reports = await tempReports();
    // The breaker never reaches its volume threshold, the limiter fails closed without Redis, one worker only.
    lab = await startTestLab({ workers: 1, targetEnv: { BREAKER_VOLUME_THRESHOLD: '10000', RATE_LIMIT_FAIL_POLICY: 'closed' } });
  });
  after(async () => {
    await lab?.stop();
    await reports?.cleanup();
  });

  test('upstream-outage with the breaker disabled fails on the breaker open delay', async () => {
    const { exitCode, data } = await gatedRun({ scenario: 'upstream-outage', profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 99, explain(data));
    assert.ok(failures(data).includes('breaker_open_delay max<10000'), explain(data));
  });

  test('cache-outage with the rate limiter failing closed fails on errors during the outage', async () => {
    const { exitCode, data } = await gatedRun({ scenario: 'cache-outage', profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 99, explain(data));
    assert.ok(failures(data).includes('http_req_failed{phase:outage} rate<0.001'), explain(data));
  });

  test('worker-crash with a single worker fails on errors while it is replaced', async () => {
    const { exitCode, data } = await gatedRun({ scenario: 'worker-crash', profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 99, explain(data));
    assert.ok(failures(data).some((f) => f.startsWith('http_req_failed{phase:crash}')), explain(data));
  });
});
