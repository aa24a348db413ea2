// The `failover` drill (regional outage, on two lab "regions"): a streaming standby made with pg_basebackup -R on its
// own port, synchronous by default; the primary is killed hard, and the lab's failover controller detects it,
// promotes the standby (pg_promote), points PgBouncer at it and runs RELOAD. The old primary is fenced
// (standby.signal) before it may start again, so it comes back read-only.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chownTree } from '../../lab/service-user.ts';
import type { PgInstance, RecoveryKit, SuperuserTarget } from '../../lab/recovery/kit.ts';
import { holdFor, numParam, presentIds, startLedger, Timeline, waitPromoted, writeFigures, type DrillContext } from './drill-kit.ts';
import { measureLoss, measureRto, switchWindowErrors, type DrillFigures } from './measure.ts';

/** The standby: pg_basebackup -R from the primary, started on its own port; waits until it streams. */
async function makeStandby(ctx: DrillContext, tl: Timeline, synchronous: boolean, deadlineMs: number): Promise<PgInstance> {
  const { kit } = ctx;
  const dataDir = kit.makeDataDir(`standby-${Date.now()}`);
  await kit.pgTool('pg_basebackup', ['-h', kit.postgres.dataDir, '-p', String(kit.postgres.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'], 600_000);
  tl.mark('standby cloned (pg_basebackup -R)');
  // a hot standby needs at least the primary's max_connections
  const maxConnections = await kit.superuser(async (c) => (await c.query<{ max_connections: string }>('SHOW max_connections')).rows[0]!.max_connections);
  const standby = await kit.startInstance({ dataDir, name: 'standby', settings: { archive_mode: 'off', hot_standby: 'on', max_connections: maxConnections } });
  await kit.superuser(async (c) => {
    await c.query(`ALTER SYSTEM SET synchronous_standby_names = '${synchronous ? '*' : ''}'`);
    await c.query('SELECT pg_reload_conf()');
  });
  const want = synchronous ? 'sync' : 'async';
  for (let i = 0; i < 100_000 && ctx.clock() < deadlineMs; i++) {
    const state = await kit.superuser(async (c) => (await c.query<{ s: string }>("SELECT sync_state AS s FROM pg_stat_replication WHERE state = 'streaming'")).rows[0]?.s);
    if (state === want) {
      tl.mark(`standby streaming (${want})`, `port ${standby.port}`);
      return standby;
    }
    await holdFor(50);
  }
  throw new Error(`the standby did not reach ${want} streaming in time`);
}

/**
 * Stops the primary's WAL sender (SIGSTOP) until the fault, as a congested link between the regions would: with
 * asynchronous replication the primary keeps acknowledging writes the standby never receives. (Stopping the
 * standby's receiver instead would not do: the kernel's socket buffers keep what was sent, and it reads them later.)
 * The kill of the primary's process group ends the stopped sender too.
 */
async function stallSender(kit: RecoveryKit, tl: Timeline): Promise<void> {
  const pid = await kit.superuser(async (c) => (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_replication')).rows[0]?.pid);
  if (!pid) throw new Error('the primary has no WAL sender to stall');
  process.kill(pid, 'SIGSTOP');
  tl.mark('WAL sender stalled (a congested link between the regions)', `pid ${pid}`);
}

/** The replication lag just before the fault: bytes the standby has not replayed (pg_stat_replication). */
async function replicationLagBytes(kit: RecoveryKit): Promise<number> {
  return kit.superuser(async (c) => Number((await c.query<{ b: string | null }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text AS b FROM pg_stat_replication')).rows[0]?.b ?? 0));
}

/** The failover controller: detect the dead primary, promote the standby, point PgBouncer at it (RELOAD). */
async function failOver(ctx: DrillContext, tl: Timeline, standby: PgInstance, deadlineMs: number): Promise<boolean> {
  const { kit } = ctx;
  let misses = 0;
  for (let i = 0; i < 100_000 && misses < 3 && ctx.clock() < deadlineMs; i++) {
    const up = await kit.superuser(async (c) => (await c.query('SELECT 1'), true)).catch(() => false);
    misses = up ? 0 : misses + 1;
    if (misses < 3) await holdFor(100);
  }
  tl.mark('controller: primary down (3 failed probes)');
  const target: SuperuserTarget = { socketDir: standby.dataDir, port: standby.port };
  await kit.superuser((c) => c.query('SELECT pg_promote(true, 60)'), target);
  const promoted = await waitPromoted(kit, ctx.clock, deadlineMs, target);
  tl.mark(promoted ? 'standby promoted (pg_promote)' : 'standby NOT promoted');
  await kit.pointPgBouncerAt(standby.port);
  tl.mark('PgBouncer pointed at the new primary (RELOAD)');
  return promoted;
}

/** Fences the old primary (standby.signal), starts it again and tries a write; true when it took the write. */
async function oldPrimaryWritable(kit: RecoveryKit, tl: Timeline): Promise<boolean> {
  const signal = join(kit.postgres.dataDir, 'standby.signal');
  writeFileSync(signal, '');
  chownTree(signal, kit.user);
  // a fenced server that never opens for connections takes no writes either: wait for it at most 20 s
  const started = await Promise.race([kit.postgres.start().then(() => true, () => false), holdFor(20_000).then(() => false)]);
  if (!started) {
    tl.mark('old primary restarted but not accepting connections (fenced)');
    return false;
  }
  const writable = await kit.superuser((c) => c.query('CREATE TABLE failover_fence_probe (x int)').then(() => true, () => false));
  tl.mark(writable ? 'old primary restarted and ACCEPTED a write' : 'old primary restarted read-only (fenced): write refused');
  return writable;
}

/**
 * Runs the failover drill and writes its figures.
 *   ledger → standby (pg_basebackup -R, sync or async) → writes → kill -9 primary → controller: detect, pg_promote,
 *     PgBouncer RELOAD → first acknowledged write (RTO) → ledger vs the new primary (writes lost, RPO) → fenced old primary
 */
export async function runFailoverDrill(ctx: DrillContext): Promise<void> {
  const { kit } = ctx;
  const tl = new Timeline(ctx.clock, ctx.onLog);
  const deadlineMs = ctx.clock() + numParam(ctx.params, 'deadlineMs', 300_000);
  const synchronous = ctx.params.synchronous !== false;
  const ledger = await startLedger(ctx);
  tl.mark('ledger of acknowledged writes started');
  let faultMs = ctx.clock();
  let standby: PgInstance | undefined;
  const figures: Partial<DrillFigures> = {};
  const extra: Record<string, number> = { promoted: 0 };
  try {
    standby = await makeStandby(ctx, tl, synchronous, deadlineMs);
    if (ctx.params.stallLink === true) await stallSender(kit, tl);
    await holdFor(numParam(ctx.params, 'writeBeforeFaultMs', 3_000));
    extra.replication_lag_bytes = await replicationLagBytes(kit);
    faultMs = tl.mark('fault: primary killed (SIGKILL)');
    await kit.postgres.kill();
    extra.promoted = (await failOver(ctx, tl, standby, deadlineMs)) ? 1 : 0;
    const first = await ledger.waitForAckAfter(faultMs, deadlineMs);
    if (first) tl.mark('first acknowledged write after the fault', `report ${first.id}`, first.ackedMs);
    await holdFor(numParam(ctx.params, 'writeAfterMs', 1_000));
    extra.old_primary_writable = (await oldPrimaryWritable(kit, tl)) ? 1 : 0;
  } catch (err) {
    tl.mark('failover FAILED', (err as Error).message.slice(0, 300));
  } finally {
    await ledger.stop();
  }
  const present = standby ? await presentIds(kit, ledger.entries.map((e) => e.id), { socketDir: standby.dataDir, port: standby.port }).catch(() => new Set<string>()) : new Set<string>();
  const firstAfter = ledger.firstAckSentAfter(faultMs);
  const rto = measureRto(faultMs, firstAfter, ctx.clock());
  // The switch window: from the fault to the first acknowledged write and its settle; a failed write outside it is a bug.
  if (firstAfter) {
    const errors = switchWindowErrors(ledger.failedAtMs, faultMs, firstAfter.ackedMs);
    extra.errors_outside_switch = errors.outside;
    extra.errors_in_settle = errors.inSettle;
  }
  writeFigures(ctx, { drill: 'failover', faultMs, rto, loss: measureLoss(ledger.entries, present, faultMs), ...figures, extra }, tl);
}
