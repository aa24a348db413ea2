// The `pitr` drill (accidental deletion): under load, the WAL position is recorded and rows are deleted as a careless
// operator would; a point-in-time restore (recovery_target_lsn) goes to a side instance with archiving off, and the
// deleted rows are copied back while the primary keeps serving. RPO must be 0: no acknowledged write is lost.

import type { RecoveryKit, SuperuserTarget } from '../../lab/recovery/kit.ts';
import { amcheck, holdFor, numParam, presentIds, setArchiveTimeout, startLedger, Timeline, waitPromoted, writeFigures, type DrillContext } from './drill-kit.ts';
import { measureLoss, measureRto, type DrillFigures } from './measure.ts';

/** The careless statement: every `hold` report, where one author's were meant. */
const ACCIDENT = "DELETE FROM reports WHERE rating = 'hold' RETURNING id::text AS id";

/**
 * The accident: the WAL insert position, then the delete, in one repeatable-read transaction. Its snapshot is taken
 * before the position is read, so every row the delete can see was committed before that position, and a restore to
 * it holds them all; writes committed after it are not deleted. Returns the position and the deleted ids.
 */
async function accident(kit: RecoveryKit, tl: Timeline): Promise<{ lsn: string; faultMs: number; deleted: string[] }> {
  return kit.superuser(async (c) => {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const lsn = (await c.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0]!.lsn;
      tl.mark('WAL position recorded', lsn);
      const faultMs = tl.mark('fault: rows deleted by mistake');
      const deleted = (await c.query<{ id: string }>(ACCIDENT)).rows.map((r) => r.id);
      await c.query('COMMIT');
      tl.mark('rows deleted', `${deleted.length} reports`);
      return { lsn, faultMs, deleted };
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

/** Switches the WAL segment and waits until the archive has it, so the restore can reach past the accident. */
async function archivePastAccident(kit: RecoveryKit, tl: Timeline, clock: () => number, deadlineMs: number): Promise<void> {
  const segment = await kit.superuser(async (c) => {
    const lsn = (await c.query<{ lsn: string }>('SELECT pg_switch_wal()::text AS lsn')).rows[0]!.lsn;
    return (await c.query<{ f: string }>('SELECT pg_walfile_name($1::pg_lsn) AS f', [lsn])).rows[0]!.f;
  });
  for (let i = 0; i < 100_000 && clock() < deadlineMs; i++) {
    const last = await kit.superuser(async (c) => (await c.query<{ w: string | null }>('SELECT last_archived_wal AS w FROM pg_stat_archiver')).rows[0]?.w ?? '');
    if (last && last.slice(8) >= segment.slice(8)) {
      tl.mark('WAL archived past the accident', segment);
      return;
    }
    await holdFor(50);
  }
  throw new Error(`WAL segment ${segment} was not archived in time`);
}

/** Restores to the LSN into a side folder (archiving off) and starts it there; resolves once it is promoted. */
async function sideRestore(ctx: DrillContext, tl: Timeline, lsn: string, deadlineMs: number): Promise<SuperuserTarget & { stop(): Promise<void> }> {
  const { kit } = ctx;
  const dataDir = kit.makeDataDir(`pitr-${Date.now()}`);
  const t0 = ctx.clock();
  await kit.pgbackrest([`--pg1-path=${dataDir}`, '--type=lsn', `--target=${lsn}`, '--target-action=promote', '--archive-mode=off', 'restore'], 600_000);
  tl.mark('point-in-time restore to a side folder done', `${((ctx.clock() - t0) / 1000).toFixed(1)} s, archive_mode off`);
  // no hot standby: it answers once promoted at the target (and needs none of the primary's connection limits)
  const side = await kit.startInstance({ dataDir, name: 'pitr-side', settings: { archive_mode: 'off', hot_standby: 'off' } });
  const target = { socketDir: dataDir, port: side.port };
  if (!(await waitPromoted(kit, ctx.clock, deadlineMs, target))) throw new Error('the side instance did not reach the recovery target');
  tl.mark('side instance at the recovery target', `port ${side.port}`);
  return { ...target, stop: () => side.stop() };
}

/** Copies the rows the accident removed back from the side instance; returns how many went in. */
async function copyBack(kit: RecoveryKit, side: SuperuserTarget, deleted: readonly string[]): Promise<number> {
  const rows = await kit.superuser(async (c) => (await c.query<{ j: unknown }>('SELECT coalesce(json_agg(r), \'[]\') AS j FROM reports r WHERE id = ANY($1::bigint[])', [deleted])).rows[0]!.j, side);
  return kit.superuser(async (c) => (await c.query('INSERT INTO reports SELECT * FROM json_populate_recordset(NULL::reports, $1::json) ON CONFLICT (id) DO NOTHING', [JSON.stringify(rows)])).rowCount ?? 0);
}

/**
 * Runs the pitr drill and writes its figures.
 *   ledger → archive_timeout, full backup, writes → LSN, DELETE (the fault) → switch + archive → restore to the LSN
 *     on a side instance (archiving off) → copy the rows back (RTO) → rows missing, writes lost (RPO 0) → amcheck
 */
export async function runPitrDrill(ctx: DrillContext): Promise<void> {
  const { kit } = ctx;
  const tl = new Timeline(ctx.clock, ctx.onLog);
  const deadlineMs = ctx.clock() + numParam(ctx.params, 'deadlineMs', 300_000);
  const ledger = await startLedger(ctx);
  tl.mark('ledger of acknowledged writes started');
  let faultMs = ctx.clock();
  let rowsMissing = -1;
  let recoveredMs: number | undefined;
  const figures: Partial<DrillFigures> = { restoreOk: false };
  let side: Awaited<ReturnType<typeof sideRestore>> | undefined;
  try {
    await setArchiveTimeout(kit, numParam(ctx.params, 'archiveTimeoutS', 5));
    await kit.pgbackrest(['--type=full', 'backup'], 600_000);
    tl.mark('full backup done');
    await holdFor(numParam(ctx.params, 'writeBeforeAccidentMs', 3_000));
    const hit = await accident(kit, tl);
    faultMs = hit.faultMs;
    await archivePastAccident(kit, tl, ctx.clock, deadlineMs);
    side = await sideRestore(ctx, tl, hit.lsn, deadlineMs);
    const copied = await copyBack(kit, side, hit.deleted);
    recoveredMs = tl.mark('deleted rows copied back', `${copied} of ${hit.deleted.length}`);
    figures.restoreOk = true;
    rowsMissing = hit.deleted.length - (await presentIds(kit, hit.deleted)).size;
    await amcheck(kit, { socketDir: kit.postgres.dataDir, port: kit.postgres.port });
    figures.integrity = { ok: rowsMissing === 0, checks: [`rows from before the accident missing: ${rowsMissing}`, 'pg_amcheck --heapallindexed: ok'] };
    await holdFor(numParam(ctx.params, 'writeAfterMs', 1_000)); // writes acknowledged after the accident, checked below
  } catch (err) {
    tl.mark('pitr FAILED', (err as Error).message.slice(0, 300));
    figures.integrity ??= { ok: false, checks: ['pitr: FAILED'] };
  } finally {
    await ledger.stop();
    await side?.stop().catch(() => undefined);
  }
  const present = await presentIds(kit, ledger.entries.map((e) => e.id)).catch(() => new Set<string>());
  const rto = recoveredMs === undefined ? measureRto(faultMs, undefined, ctx.clock()) : { rtoMs: recoveredMs - faultMs, recovered: true };
  const first = ledger.firstAckSentAfter(faultMs);
  const extra: Record<string, number> = { ...(rowsMissing >= 0 ? { rows_missing: rowsMissing } : {}), ...(first ? { service_gap: first.ackedMs - faultMs } : {}) };
  writeFigures(ctx, { drill: 'pitr', faultMs, rto, loss: measureLoss(ledger.entries, present, faultMs), ...figures, extra }, tl);
}
