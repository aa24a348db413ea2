// `perfgate drill restore --pgbackrest-config FILE --stanza S`: the restore drill against a user's own pgBackRest
// repository. The newest backup is restored, to the end of its archived WAL, into a scratch instance on a free
// loopback port (archiving off, local trust only, its settings overridden where a copy must differ), then checked
// with pg_amcheck --heapallindexed and pgbackrest verify. It answers: can my backups be restored, how long does it
// take, and are they intact. The repository is only read; the scratch folder is removed afterwards.

import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireBinary, siblingBinary } from '../../lab/binaries.ts';
import { chownTree, serviceUser } from '../../lab/service-user.ts';
import { startInstance, superuserQuery, type PgInstance } from '../../lab/recovery/kit.ts';
import { runAs } from '../../lab/recovery/pgbackrest.ts';
import { ConfigError, LabError } from '../../errors.ts';
import { newestBackup, type BackupInfo } from './restore-drill.ts';
import type { TimelineStep } from './measure.ts';

/** Options of checkRepository. */
export interface RepositoryCheckOptions {
  configFile: string;
  stanza: string;
  /** The cluster's superuser, which pg_amcheck connects as (default postgres). */
  pgUser?: string;
  /** Keep the scratch folder (default: removed). */
  keep?: boolean;
  onLog?: (line: string) => void;
}

/** What the check found. */
export interface RepositoryCheckResult {
  ok: boolean;
  backup?: BackupInfo;
  restoreS?: number;
  /** From the scratch server's start to the end of WAL replay. */
  replayS?: number;
  totalS: number;
  mbPerS?: number;
  checks: string[];
  steps: TimelineStep[];
  error?: string;
  scratchDir?: string;
}

/** The flags' problems, all at once (ConfigError naming each). */
function checkFlags(o: RepositoryCheckOptions): void {
  const issues: Array<{ path: string; message: string }> = [];
  try {
    accessSync(o.configFile, constants.R_OK);
  } catch {
    issues.push({ path: '--pgbackrest-config', message: `cannot read "${o.configFile}"` });
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(o.stanza)) issues.push({ path: '--stanza', message: `"${o.stanza}" is not a stanza name (letters, digits, _ . -)` });
  if (o.pgUser !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.pgUser)) issues.push({ path: '--pg-user', message: `"${o.pgUser}" is not a role name` });
  if (issues.length) throw new ConfigError(issues, 'invalid arguments');
}

/** Settings a scratch copy must not take from the production cluster: its address, archiving, files and memory. */
function scratchSettings(dataDir: string): Record<string, string> {
  return {
    archive_mode: 'off',
    hba_file: join(dataDir, 'pg_hba.conf'),
    ident_file: join(dataDir, 'pg_ident.conf'),
    ssl: 'off',
    shared_buffers: '128MB',
    huge_pages: 'off',
    max_connections: '20',
    hot_standby: 'off', // it answers once recovered, and needs none of the primary's connection limits meanwhile
    max_wal_senders: '0',
    wal_level: 'replica',
  };
}

/** Makes the scratch folder; after the restore, gives the copy local-trust access files (and an empty config if it has none). */
function scratchFolder(): { dir: string; dataDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-restore-check-'));
  chmodSync(dir, 0o711);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  chownTree(dataDir, serviceUser());
  return { dir, dataDir };
}

/** Local trust only, so the check can connect whatever the production cluster's authentication. */
function prepareCopy(dataDir: string): void {
  writeFileSync(join(dataDir, 'pg_hba.conf'), 'local all all trust\n');
  writeFileSync(join(dataDir, 'pg_ident.conf'), '');
  if (!existsSync(join(dataDir, 'postgresql.conf'))) writeFileSync(join(dataDir, 'postgresql.conf'), '');
  chownTree(dataDir, serviceUser());
}

/**
 * Checks a repository: restore the newest backup into a scratch instance, replay its WAL, run the integrity checks.
 *   flags → info (newest backup) → restore --pg1-path=scratch --archive-mode=off → start on a free port → promoted
 *     → pg_amcheck --all --heapallindexed → pgbackrest verify → stop, remove scratch
 */
export async function checkRepository(o: RepositoryCheckOptions): Promise<RepositoryCheckResult> {
  checkFlags(o);
  const t0 = Date.now();
  const clock = () => Date.now() - t0;
  const steps: TimelineStep[] = [];
  const mark = (step: string, detail?: string) => {
    steps.push({ step, tMs: clock(), ...(detail ? { detail } : {}) });
    o.onLog?.(`${step}${detail ? ` (${detail})` : ''} at ${(clock() / 1000).toFixed(1)} s`);
  };
  const user = serviceUser();
  const backrest = requireBinary('pgbackrest');
  const postgresBin = realpathSync(requireBinary('postgres'));
  const cmd = (args: string[], timeoutMs = 3_600_000) => runAs(backrest, [`--config=${resolve(o.configFile)}`, `--stanza=${o.stanza}`, ...args], user, { timeoutMs });
  const { dir, dataDir } = scratchFolder();
  const result: RepositoryCheckResult = { ok: false, totalS: 0, checks: [], steps, ...(o.keep ? { scratchDir: dir } : {}) };
  let instance: PgInstance | undefined;
  try {
    result.backup = newestBackup((await cmd(['--output=json', 'info'], 120_000)).stdout);
    if (!result.backup) throw new LabError(`stanza ${o.stanza} has no backup to restore`);
    mark('newest backup', `${result.backup.label}, ${(result.backup.sizeBytes / 1e6).toFixed(1)} MB`);
    const r0 = clock();
    await cmd([`--pg1-path=${dataDir}`, '--archive-mode=off', 'restore']);
    result.restoreS = (clock() - r0) / 1000;
    result.mbPerS = result.backup.sizeBytes / 1e6 / Math.max(result.restoreS, 0.001);
    mark('restore done', `${result.restoreS.toFixed(1)} s, ${result.mbPerS.toFixed(1)} MB/s`);
    prepareCopy(dataDir);
    const s0 = clock();
    instance = await startInstance(postgresBin, user, { dataDir, name: 'restore-check', settings: scratchSettings(dataDir), superuser: o.pgUser, readyTimeoutMs: 3_600_000 });
    const target = { socketDir: dataDir, port: instance.port, database: 'postgres', user: o.pgUser };
    await waitOutOfRecovery(target);
    result.replayS = (clock() - s0) / 1000;
    mark('WAL replayed, scratch instance promoted', `port ${instance.port}, ${result.replayS.toFixed(1)} s`);
    result.ok = await integrity(o, instance, dataDir, cmd, result.checks, mark);
  } catch (err) {
    result.error = (err as Error).message;
    mark('FAILED', result.error.slice(0, 300));
  } finally {
    await instance?.stop().catch(() => undefined);
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
  result.totalS = clock() / 1000;
  return result;
}

/** Waits (up to an hour) until the scratch server has replayed its WAL and left recovery. */
async function waitOutOfRecovery(target: Parameters<typeof superuserQuery>[1]): Promise<void> {
  const deadline = Date.now() + 3_600_000;
  while (Date.now() < deadline) {
    const inRecovery = await superuserQuery(async (c) => (await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]?.r, target).catch(() => true);
    if (inRecovery === false) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new LabError('the scratch instance did not finish its recovery within an hour');
}

/** pg_amcheck of every database and pgbackrest verify; records each, and returns whether both passed. */
async function integrity(o: RepositoryCheckOptions, instance: PgInstance, dataDir: string, cmd: (args: string[]) => Promise<unknown>, checks: string[], mark: (s: string, d?: string) => void): Promise<boolean> {
  const amcheckBin = siblingBinary(realpathSync(requireBinary('postgres')), 'pg_amcheck');
  if (!amcheckBin) throw new LabError('pg_amcheck not found next to postgres (it ships with PostgreSQL 14 and later)');
  let ok = true;
  for (const [name, run] of [
    ['pg_amcheck --all --heapallindexed', () => runAs(amcheckBin, ['-h', dataDir, '-p', String(instance.port), '-U', o.pgUser ?? 'postgres', '--all', '--heapallindexed', '--install-missing'], serviceUser(), { timeoutMs: 3_600_000 })],
    ['pgbackrest verify', () => cmd(['verify'])],
  ] as const) {
    try {
      await run();
      checks.push(`${name}: ok`);
      mark(`${name} passed`);
    } catch (err) {
      ok = false;
      checks.push(`${name}: FAILED`);
      mark(`${name} FAILED`, (err as Error).message.slice(0, 300));
    }
  }
  return ok;
}
