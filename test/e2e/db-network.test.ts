// The db-network drill end to end, through the lab's fault proxy in front of PostgreSQL: with a query timeout the API
// answers fast 503s in the black hole and recovers after each fault; without one, the "fast 503" gate fails.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestLab, type Lab } from '../support/lab.ts';
import { explain, failures, gatedRun, tempReports } from './support.ts';

for (const withTimeout of [true, false]) {
  describe(`db-network on a target ${withTimeout ? 'with a 1 s query timeout' : 'with no query timeout'}`, { timeout: 300_000 }, () => {
    let lab: Lab;
    let reports: Awaited<ReturnType<typeof tempReports>>;
    before(async () => {
      reports = await tempReports();
      lab = await startTestLab({ dbProxy: true, ...(withTimeout ? { targetEnv: { DB_QUERY_TIMEOUT_MS: '1000' } } : {}) });
    });
    after(async () => {
      await lab?.stop();
      await reports?.cleanup();
    });

    test(withTimeout ? 'the black hole gets fast 503s and the error rate recovers after every fault' : 'the black hole hangs requests, so the fast-503 gate fails', { timeout: 120_000 }, async () => {
      const { exitCode, data } = await gatedRun({ scenario: 'db-network', profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
      const blackhole = data.verdict!.thresholds.find((e) => e.key === 'http_req_duration{phase:blackhole}')!;
      console.log(`db-network ${withTimeout ? 'with' : 'without'} a query timeout: black-hole max ${blackhole.observed} ms; ${explain(data)}`);
      if (withTimeout) {
        assert.equal(exitCode, 0, explain(data));
        assert.equal(data.run.faults.map((f) => f.name).join(','), 'db-latency,db-blackhole,db-reset');
        // Every server connection is again one the pool holds: the leak gate was judged, on data.
        const leak = data.verdict!.thresholds.find((e) => e.key === 'db_connections_leaked')!;
        assert.equal(leak.observed, 0, explain(data));
        const leakSample = data.samples.find((s) => s.metric === 'db_connections_leaked')!;
        assert.equal(leakSample.labels!.basis, 'server-minus-pool', 'judged against the connections the pool holds');
        assert.ok(Number(leakSample.labels!.settled) <= Number(leakSample.labels!.baseline), JSON.stringify(leakSample.labels));
      } else {
        assert.equal(exitCode, 99, explain(data));
        // A hanging request is recorded when it ends: in the black hole, or (most of them) just after it.
        assert.ok(failures(data).some((f) => /^http_req_duration\{phase:blackhole(-settle)?\} max<2000$/.test(f)), explain(data));
      }
    });
  });
}
