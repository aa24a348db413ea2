// The recovery drills end to end on one lab started with `recovery` (data checksums, WAL archived into a local
// pgBackRest repository): restore and pitr pass at smoke with their RPO, RTO and integrity checks measured; then a
// repository with a WAL segment missing makes the restore fail (the negative test, last: it leaves the lab broken).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestLab, type Lab } from '../support/lab.ts';
import { explain, failures, gatedRun, tempReports } from './support.ts';
import type { RunData } from '../../src/results/read.ts';

const root = join(import.meta.dirname, '..', '..');

/** Runs the perfgate CLI; resolves to its exit code and output. */
function perfgate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'perfgate.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The value of a drill's figure (its one sample). */
function figure(data: RunData, metric: string): number | null | undefined {
  return data.samples.find((s) => s.metric === metric && s.source === 'recovery')?.value;
}

describe('recovery drills on a lab with WAL archiving', { timeout: 400_000 }, () => {
  let lab: Lab;
  let reports: Awaited<ReturnType<typeof tempReports>>;
  before(async () => {
    reports = await tempReports();
    // fsync stays on: a hard kill must lose only what the drill says it loses
    lab = await startTestLab({ recovery: true, unsafeNoFsync: false });
  });
  after(async () => {
    await lab?.stop();
    await reports?.cleanup();
  });

  test('restore: the backup restores, passes pg_amcheck and pgbackrest verify, and loses no more than archive_timeout allows', { timeout: 120_000 }, async () => {
    const { exitCode, data, reportHtml } = await gatedRun({ scenario: 'restore', profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 0, explain(data));
    assert.equal(figure(data, 'recovery_restore_ok'), 1);
    assert.equal(figure(data, 'recovery_integrity_ok'), 1);
    const rto = figure(data, 'recovery_rto')!;
    const rpo = figure(data, 'recovery_rpo')!;
    assert.ok(rto > 0 && rto < 60_000, `RTO ${rto} ms`);
    assert.ok(rpo >= 0 && rpo <= 10_000, `RPO ${rpo} ms`);
    assert.ok(figure(data, 'recovery_writes_acked')! > 10, 'the ledger holds writes');
    assert.ok(figure(data, 'recovery_restore_mb_per_s')! > 0, 'restore throughput is reported');
    const steps = data.samples.filter((s) => s.metric === 'recovery_step').map((s) => s.labels!.step);
    for (const step of ['full backup done', 'fault: PostgreSQL killed (SIGKILL)', 'restore done', 'first acknowledged write after the fault', 'pg_amcheck --heapallindexed passed', 'pgbackrest verify passed']) assert.ok(steps.includes(step), `${step} in ${steps.join(' | ')}`);
    assert.ok(reportHtml, 'a report is written');
    console.log(`restore: RTO ${rto} ms, RPO ${rpo} ms, lost ${figure(data, 'recovery_writes_lost')} of ${figure(data, 'recovery_writes_acked')}, ${figure(data, 'recovery_restore_mb_per_s')?.toFixed(1)} MB/s`);
  });

  test('pitr: the deleted rows come back from a side instance while the primary serves, and no acknowledged write is lost', { timeout: 120_000 }, async () => {
    const { exitCode, data } = await gatedRun({ scenario: 'pitr', profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 0, explain(data));
    assert.equal(figure(data, 'recovery_rows_missing'), 0);
    assert.equal(figure(data, 'recovery_writes_lost'), 0);
    assert.equal(figure(data, 'recovery_rpo'), 0);
    const rto = figure(data, 'recovery_rto')!;
    assert.ok(rto > 0 && rto < 60_000, `RTO ${rto} ms`);
    console.log(`pitr: RTO ${rto} ms, RPO 0, rows missing 0, service gap ${figure(data, 'recovery_service_gap')} ms`);
  });

  test('perfgate drill restore restores a repository into a scratch instance and checks it', { timeout: 120_000 }, async () => {
    const kit = lab.faults.recovery!;
    const r = await perfgate(['drill', 'restore', '--pgbackrest-config', kit.backrest.configFile, '--stanza', kit.stanza, '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const result = JSON.parse(r.stdout) as { ok: boolean; checks: string[]; mbPerS: number; restoreS: number; replayS: number };
    assert.deepEqual(result.checks, ['pg_amcheck --all --heapallindexed: ok', 'pgbackrest verify: ok']);
    assert.ok(result.mbPerS > 0 && result.restoreS > 0 && result.replayS >= 0, r.stdout);
    const bad = await perfgate(['drill', 'restore', '--stanza', 'no such']);
    assert.equal(bad.code, 104);
    assert.match(bad.stderr, /--pgbackrest-config: is required/);
    assert.match(bad.stderr, /--stanza: "no such" is not a stanza name|--pgbackrest-config/);
  });

  test('restore from a repository with a WAL segment missing fails the gate', { timeout: 120_000 }, async () => {
    const file = join(reports.dir, 'restore-hole.ts');
    const drill = JSON.stringify(join(root, 'scenarios', 'drills', 'restore.ts'));
    const fixtures = (f: string) => JSON.stringify(join(root, 'fixtures', f));
    writeFileSync(file, `import drill from ${drill};
export default { ...drill, name: 'restore-hole',
  data: { ticker: { file: ${fixtures('tickers.csv')}, column: 'ticker', pick: 'zipf' }, sector: { file: ${fixtures('sectors.csv')}, column: 'sector', pick: 'random' } },
  faults: [{ action: 'recovery-restore', at: '15s', params: { archiveTimeoutS: 5, writeAfterBackupMs: 1000, dropWalSegment: true } }] };\n`);
    const { exitCode, data } = await gatedRun({ scenario: file, profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 99, explain(data));
    assert.ok(failures(data).includes('recovery_restore_ok min==1'), explain(data));
    assert.equal(figure(data, 'recovery_restore_ok'), 0);
  });
});
