// The resilience drills against a deliberately broken lab (breaker that never opens, rate limiter failing closed, a
// single worker): each drill fails with the right SLO named. (On a healthy lab every drill passes: scenarios.test.ts.)

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestLab, type Lab } from '../support/lab.ts';
import { explain, failures, gatedRun, tempReports } from './support.ts';

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
