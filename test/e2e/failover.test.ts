// The failover drill end to end on a lab with PgBouncer and WAL archiving: a synchronous standby is promoted after
// the primary is killed, PgBouncer is pointed at it, no acknowledged write is lost and the old primary comes back
// read-only.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestLab, type Lab } from '../support/lab.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { explain, failures, gatedRun, tempReports } from './support.ts';
import type { RunData } from '../../src/results/read.ts';

/** The value of a drill's figure (its one sample). */
function figure(data: RunData, metric: string): number | null | undefined {
  return data.samples.find((s) => s.metric === metric && s.source === 'recovery')?.value;
}

describe('the failover drill on a lab with a standby', { timeout: 300_000 }, () => {
  let lab: Lab;
  let reports: Awaited<ReturnType<typeof tempReports>>;
  before(async () => {
    reports = await tempReports();
    lab = await startTestLab({ recovery: true, pgbouncer: true, unsafeNoFsync: false });
  });
  after(async () => {
    await lab?.stop();
    await reports?.cleanup();
  });

  test('failover with synchronous replication loses no acknowledged write, and the old primary refuses writes', { timeout: 120_000 }, async () => {
    const { exitCode, data } = await gatedRun({ scenario: 'failover', profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 0, explain(data));
    assert.equal(figure(data, 'recovery_promoted'), 1);
    assert.equal(figure(data, 'recovery_writes_lost'), 0);
    assert.equal(figure(data, 'recovery_old_primary_writable'), 0);
    const rto = figure(data, 'recovery_rto')!;
    assert.ok(rto > 0 && rto < 60_000, `RTO ${rto} ms`);
    const steps = data.samples.filter((s) => s.metric === 'recovery_step').map((s) => s.labels!.step);
    for (const step of ['standby streaming (sync)', 'controller: primary down (3 failed probes)', 'standby promoted (pg_promote)', 'PgBouncer pointed at the new primary (RELOAD)', 'first acknowledged write after the fault']) assert.ok(steps.includes(step), `${step} in ${steps.join(' | ')}`);
    console.log(`failover: RTO ${rto} ms, RPO ${figure(data, 'recovery_rpo')} ms, lost ${figure(data, 'recovery_writes_lost')} of ${figure(data, 'recovery_writes_acked')}, lag ${figure(data, 'recovery_replication_lag_bytes')} bytes`);
  });
});

describe('the failover drill with asynchronous replication and a stalled link', { timeout: 300_000 }, () => {
  let lab: Lab;
  let reports: Awaited<ReturnType<typeof tempReports>>;
  before(async () => {
    reports = await tempReports();
    lab = await startTestLab({ recovery: true, pgbouncer: true, unsafeNoFsync: false });
  });
  after(async () => {
    await lab?.stop();
    await reports?.cleanup();
  });

  test('failover with async replication under writes reports the lost writes and the replication lag, and fails the gate', { timeout: 120_000 }, async () => {
    const root = join(import.meta.dirname, '..', '..');
    const file = join(reports.dir, 'failover-async.ts');
    const fixtures = (f: string) => JSON.stringify(join(root, 'fixtures', f));
    writeFileSync(file, `import drill from ${JSON.stringify(join(root, 'scenarios', 'drills', 'failover.ts'))};
export default { ...drill, name: 'failover-async',
  data: { ticker: { file: ${fixtures('tickers.csv')}, column: 'ticker', pick: 'zipf' }, sector: { file: ${fixtures('sectors.csv')}, column: 'sector', pick: 'random' } },
  faults: [{ action: 'recovery-failover', at: '15s', params: { synchronous: false, stallLink: true, writeBeforeFaultMs: 3000 } }] };\n`);
    const { exitCode, data } = await gatedRun({ scenario: file, profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 99, explain(data));
    assert.ok(failures(data).includes('recovery_writes_lost max==0'), explain(data));
    assert.ok(figure(data, 'recovery_writes_lost')! > 0);
    assert.ok(figure(data, 'recovery_replication_lag_bytes')! > 0, 'the lag is measured');
    assert.ok(figure(data, 'recovery_rpo')! > 0);
    console.log(`failover async: lost ${figure(data, 'recovery_writes_lost')} of ${figure(data, 'recovery_writes_acked')}, RPO ${figure(data, 'recovery_rpo')} ms, lag ${figure(data, 'recovery_replication_lag_bytes')} bytes`);
  });
});
