// The `restore` drill (database corruption): a full pgBackRest backup under steady writes, then PostgreSQL is killed
// hard and its data folder removed; the drill restores to the latest archived WAL, checks the result
// (pg_amcheck --heapallindexed, pgbackrest verify) and measures RTO, RPO and the restore's throughput.

import { mkdirSync, chmodSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chownTree } from '../../lab/service-user.ts';
import type { RecoveryKit } from '../../lab/recovery/kit.ts';
import { amcheck, holdFor, numParam, presentIds, setArchiveTimeout, startLedger, Timeline, waitPromoted, writeFigures, type DrillContext } from './drill-kit.ts';
import { measureLoss, measureRto, type DrillFigures } from './measure.ts';
import type { WriteLedger } from './ledger.ts';

/** The newest backup of `pgbackrest info --output=json`: its label, database size and archive range. */
export interface BackupInfo {
  label: string;
  sizeBytes: number;
  archiveStart: string;
  archiveStop: string;
}

/** Reads the newest backup from `pgbackrest info --output=json` text (pure). */
export function newestBackup(infoJson: string): BackupInfo | undefined {
  const stanzas = JSON.parse(infoJson) as Array<{ backup?: Array<{ label: string; info: { size: number }; archive: { start: string; stop: string } }> }>;
  const backups = stanzas[0]?.backup ?? [];
  const b = backups[backups.length - 1];
  return b ? { label: b.label, sizeBytes: b.info.size, archiveStart: b.archive.start, archiveStop: b.archive.stop } : undefined;
}

/** Removes a WAL segment from the repository's archive (the negative test: a repository with a hole); returns the files removed. */
export function removeArchivedSegment(repoDir: string, stanza: string, segment: string): string[] {
  const removed: string[] = [];
  const root = join(repoDir, 'archive', stanza);
  for (const archiveId of readdirSync(root).filter((d) => /^\d+-\d+$/.test(d))) {
    const dir = join(root, archiveId, segment.slice(0, 16));
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of files.filter((f) => f.startsWith(`${segment}-`))) {
      rmSync(join(dir, f));
      removed.push(f);
    }
  }
  return removed;
}

/** Backup under writes: archive_timeout, check, a full backup, then writes for a while after it. */
async function backupPhase(ctx: DrillContext, tl: Timeline): Promise<BackupInfo | undefined> {
  const { kit } = ctx;
  const archiveTimeoutS = numParam(ctx.params, 'archiveTimeoutS', 5);
  await setArchiveTimeout(kit, archiveTimeoutS);
  tl.mark('archive_timeout set', `${archiveTimeoutS} s`);
  await kit.pgbackrest(['check'], 60_000);
  tl.mark('pgbackrest check passed');
  const t0 = ctx.clock();
  await kit.pgbackrest(['--type=full', 'backup'], 600_000);
  const info = newestBackup((await kit.pgbackrest(['--output=json', 'info'])).stdout);
  tl.mark('full backup done', `${info?.label ?? '?'}, ${((info?.sizeBytes ?? 0) / 1e6).toFixed(1)} MB in ${((ctx.clock() - t0) / 1000).toFixed(1)} s`);
  if (ctx.params.dropWalSegment === true && info) {
    const removed = removeArchivedSegment(kit.backrest.repoDir, kit.stanza, info.archiveStart);
    tl.mark('WAL segment removed from the repository', removed.join(', ') || 'none found');
  }
  await holdFor(numParam(ctx.params, 'writeAfterBackupMs', 5_000));
  return info;
}

/** The fault: SIGKILL of the server, then its data folder removed. */
async function crash(kit: RecoveryKit, tl: Timeline): Promise<number> {
  const faultMs = tl.mark('fault: PostgreSQL killed (SIGKILL)');
  await kit.postgres.kill();
  await rm(kit.postgres.dataDir, { recursive: true, force: true });
  tl.mark('data directory removed');
  return faultMs;
}

/** Restore to the latest point, start the server (it replays the archived WAL) and wait until it is promoted. */
async function restorePhase(ctx: DrillContext, tl: Timeline, info: BackupInfo | undefined, deadlineMs: number): Promise<{ ok: boolean; mbPerS?: number }> {
  const { kit } = ctx;
  const dataDir = kit.postgres.dataDir;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  chownTree(dataDir, kit.user);
  const t0 = ctx.clock();
  await kit.pgbackrest(['restore'], 600_000);
  const restoreS = (ctx.clock() - t0) / 1000;
  const mbPerS = info ? info.sizeBytes / 1e6 / Math.max(restoreS, 0.001) : undefined;
  tl.mark('restore done', `${restoreS.toFixed(1)} s${mbPerS === undefined ? '' : `, ${mbPerS.toFixed(1)} MB/s`}`);
  await kit.postgres.start();
  tl.mark('PostgreSQL started on the restored data');
  const promoted = await waitPromoted(kit, ctx.clock, deadlineMs);
  tl.mark(promoted ? 'WAL replayed, recovery complete' : 'recovery did not complete');
  return { ok: promoted, mbPerS };
}

/** pg_amcheck of the restored database and pgbackrest verify of the repository; which passed. */
async function integrityPhase(ctx: DrillContext, tl: Timeline): Promise<{ ok: boolean; checks: string[] }> {
  const { kit } = ctx;
  const checks: string[] = [];
  let ok = true;
  for (const [name, run] of [
    ['pg_amcheck --heapallindexed', () => amcheck(kit, { socketDir: kit.postgres.dataDir, port: kit.postgres.port })],
    ['pgbackrest verify', () => kit.pgbackrest(['verify'], 600_000)],
  ] as const) {
    try {
      await run();
      checks.push(`${name}: ok`);
      tl.mark(`${name} passed`);
    } catch (err) {
      ok = false;
      checks.push(`${name}: FAILED`);
      tl.mark(`${name} FAILED`, (err as Error).message.slice(0, 300));
    }
  }
  return { ok, checks };
}

/**
 * Runs the restore drill and writes its figures.
 *   ledger → archive_timeout, check, full backup, writes → kill -9 + rm data dir → restore → start, replay, promote
 *     → first acknowledged write (RTO) → pg_amcheck, pgbackrest verify → ledger vs restored rows (RPO, writes lost)
 */
export async function runRestoreDrill(ctx: DrillContext): Promise<void> {
  const tl = new Timeline(ctx.clock, ctx.onLog);
  const deadlineMs = ctx.clock() + numParam(ctx.params, 'deadlineMs', 300_000);
  const ledger = await startLedger(ctx);
  tl.mark('ledger of acknowledged writes started');
  let faultMs = ctx.clock();
  const figures: Partial<DrillFigures> = { restoreOk: false };
  try {
    const info = await backupPhase(ctx, tl);
    faultMs = await crash(ctx.kit, tl);
    const restored = await restorePhase(ctx, tl, info, deadlineMs);
    figures.restoreOk = restored.ok;
    figures.restoreMbPerS = restored.mbPerS;
    await firstWrite(ledger, faultMs, deadlineMs, tl);
    figures.integrity = await integrityPhase(ctx, tl);
  } catch (err) {
    tl.mark('restore FAILED', (err as Error).message.slice(0, 300));
    figures.integrity ??= { ok: false, checks: ['restore: FAILED'] };
  } finally {
    await ledger.stop();
  }
  const present = figures.restoreOk ? await presentIds(ctx.kit, ledger.entries.map((e) => e.id)).catch(() => new Set<string>()) : new Set<string>();
  const rto = measureRto(faultMs, ledger.firstAckSentAfter(faultMs), ctx.clock());
  writeFigures(ctx, { drill: 'restore', faultMs, rto, loss: measureLoss(ledger.entries, present, faultMs), ...figures }, tl);
}

/** Waits for the first write acknowledged after the fault and marks it. */
async function firstWrite(ledger: WriteLedger, faultMs: number, deadlineMs: number, tl: Timeline): Promise<void> {
  const first = await ledger.waitForAckAfter(faultMs, deadlineMs);
  if (first) tl.mark('first acknowledged write after the fault', `report ${first.id}`, first.ackedMs);
  else tl.mark('no write acknowledged after the fault');
}
