// The lab's recovery kit (`lab.recovery`): PostgreSQL initialised with data checksums and continuous WAL archiving
// into a pgBackRest repository in a local folder, and the operations the recovery drills are made of: pgBackRest
// commands, PostgreSQL's own tools, side instances (a restored copy, a standby) and PgBouncer's RELOAD.

import { chmodSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { requireBinary, siblingBinary, type BinarySearch } from '../binaries.ts';
import { freePort } from '../free-port.ts';
import { chownTree, asUser, serviceUser, type ServiceUser } from '../service-user.ts';
import { killTree, signalGroup, spawnService, stopService, waitUntilReady, type ServiceProcess } from '../process.ts';
import type { PostgresHandle } from '../postgres.ts';
import type { PgBouncerHandle } from '../pgbouncer.ts';
import { archivePushCommand, runAs, writePgBackRestConfig, type CommandOutput, type PgBackRestPaths } from './pgbackrest.ts';
import { LabError } from '../../errors.ts';

/** The stanza of the lab's repository. */
export const LAB_STANZA = 'lab';

/** PostgreSQL's own tools the drills run (siblings of the server binary). */
export type PgTool = 'pg_basebackup' | 'pg_amcheck' | 'pg_verifybackup' | 'pg_checksums' | 'pg_controldata';

/** A PostgreSQL the kit started from an existing data folder (a restored copy, a standby). */
export interface PgInstance {
  readonly dataDir: string;
  readonly port: number;
  readonly logFile: string;
  readonly pid: number;
  /** Fast shutdown; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL of the whole server. */
  kill(): Promise<void>;
}

/** Where a superuser query goes: the lab's primary by default, or an instance's socket. */
export interface SuperuserTarget {
  socketDir: string;
  port: number;
  database?: string;
}

/** How to start an instance on a data folder: its settings, and how long to wait for it to answer. */
export interface InstanceSpec {
  dataDir: string;
  name: string;
  settings?: Record<string, string>;
  /** Wait until it answers (default true), up to readyTimeoutMs (default 120 s). */
  waitReady?: boolean;
  readyTimeoutMs?: number;
  /** The role to connect as while waiting (default postgres). */
  superuser?: string;
}

/** What the recovery drills can do to the lab. */
export interface RecoveryKit {
  readonly stanza: string;
  readonly backrest: PgBackRestPaths;
  readonly postgres: PostgresHandle;
  readonly pgbouncer?: PgBouncerHandle;
  readonly user: ServiceUser | null;
  /** A folder for the drills' data (side instances), owned by the service user. */
  readonly workDir: string;
  /** Runs `pgbackrest --config=<lab's> --stanza=lab <args>` as the service user. */
  pgbackrest(args: string[], timeoutMs?: number): Promise<CommandOutput>;
  /** Runs one of PostgreSQL's tools as the service user. */
  pgTool(tool: PgTool, args: string[], timeoutMs?: number): Promise<CommandOutput>;
  /** Runs fn on a superuser connection (unix socket), to the primary unless told otherwise. */
  superuser<T>(fn: (c: pg.Client) => Promise<T>, target?: SuperuserTarget): Promise<T>;
  /** A new empty folder under workDir, owned by the service user, mode 0700 (a data folder). */
  makeDataDir(name: string): string;
  /** Starts a PostgreSQL on an existing data folder, on a free loopback port; waits until it answers. */
  startInstance(spec: InstanceSpec): Promise<PgInstance>;
  /** Points PgBouncer's database at another port and runs RELOAD; resolves once the console has answered. */
  pointPgBouncerAt(port: number): Promise<void>;
  /** Stops every instance the kit started (the lab's teardown). */
  stopInstances(): Promise<void>;
}

/** The options startPostgres needs for the kit: a known port (the config names it), checksums and archiving. */
export function recoveryPostgresOptions(stateDir: string, port: number, search?: BinarySearch): { port: number; dataChecksums: true; settings: Record<string, string>; backrestDir: string } {
  const bin = requireBinary('pgbackrest', search);
  const backrestDir = join(stateDir, 'backup');
  return {
    port,
    dataChecksums: true,
    backrestDir,
    settings: {
      wal_level: 'replica',
      archive_mode: 'on',
      archive_command: archivePushCommand(bin, join(backrestDir, 'pgbackrest.conf'), LAB_STANZA),
      max_wal_senders: '10',
      wal_keep_size: '256MB',
    },
  };
}

/** The [databases] line of a pgbouncer.ini with its port replaced (pure). */
export function retargetIni(ini: string, port: number): string {
  const lines = ini.split('\n');
  const start = lines.indexOf('[databases]');
  if (start < 0) throw new LabError('pgbouncer.ini has no [databases] section');
  for (let i = start + 1; i < lines.length && !lines[i]!.startsWith('['); i++) lines[i] = lines[i]!.replace(/\bport=\d+/, `port=${port}`);
  return lines.join('\n');
}

/**
 * Sets up the kit on a started lab PostgreSQL (made with recoveryPostgresOptions).
 * write pgbackrest.conf (repository in a local folder) → stanza-create → check (a WAL segment archived end to end).
 */
export async function startRecoveryKit(o: { postgres: PostgresHandle; pgbouncer?: PgBouncerHandle; backrestDir: string; stateDir: string; search?: BinarySearch }): Promise<RecoveryKit> {
  const user = serviceUser();
  const backrestBin = requireBinary('pgbackrest', o.search);
  const postgresBin = realpathSync(requireBinary('postgres', o.search));
  const backrest = writePgBackRestConfig(o.backrestDir, { stanza: LAB_STANZA, dataDir: o.postgres.dataDir, port: o.postgres.port, socketDir: o.postgres.dataDir }, user);
  const workDir = join(o.stateDir, 'recovery');
  mkdirSync(workDir, { recursive: true, mode: 0o711 });
  chownTree(workDir, user);
  const instances = new Set<PgInstance>();
  const kit: RecoveryKit = {
    stanza: LAB_STANZA,
    backrest,
    postgres: o.postgres,
    pgbouncer: o.pgbouncer,
    user,
    workDir,
    pgbackrest: (args, timeoutMs) => runAs(backrestBin, [`--config=${backrest.configFile}`, `--stanza=${LAB_STANZA}`, ...args], user, { timeoutMs }),
    pgTool: (tool, args, timeoutMs) => {
      const bin = siblingBinary(postgresBin, tool);
      if (!bin) throw new LabError(`${tool} not found next to ${postgresBin} (it ships with PostgreSQL)`);
      return runAs(bin, args, user, { timeoutMs });
    },
    superuser: (fn, target) => superuserQuery(fn, target ?? { socketDir: o.postgres.dataDir, port: o.postgres.port }),
    makeDataDir: (name) => {
      const dir = join(workDir, name);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      chownTree(dir, user);
      return dir;
    },
    startInstance: async (spec) => {
      const instance = await startInstance(postgresBin, user, spec);
      instances.add(instance);
      return instance;
    },
    pointPgBouncerAt: (port) => pointPgBouncerAt(o.pgbouncer, join(o.stateDir, 'pgbouncer', 'pgbouncer.ini'), port),
    stopInstances: async () => {
      for (const i of instances) await i.stop().catch(() => undefined);
      instances.clear();
    },
  };
  await kit.pgbackrest(['stanza-create'], 60_000);
  await kit.pgbackrest(['check'], 60_000);
  return kit;
}

/** Runs fn on a superuser connection over the unix socket (as `postgres` unless t.user says otherwise). */
export async function superuserQuery<T>(fn: (c: pg.Client) => Promise<T>, t: SuperuserTarget & { user?: string }): Promise<T> {
  const client = new pg.Client({ host: t.socketDir, port: t.port, user: t.user ?? 'postgres', database: t.database ?? 'perfgate', connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined); // a server killed under an open connection
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Starts `postgres` on a data folder that holds a cluster (restored or cloned), on a free port. */
export async function startInstance(postgresBin: string, user: ServiceUser | null, spec: InstanceSpec): Promise<PgInstance> {
  const port = await freePort();
  const logFile = join(dirname(spec.dataDir), `${spec.name}.log`);
  const settings: Record<string, string> = { listen_addresses: '127.0.0.1', unix_socket_directories: spec.dataDir, logging_collector: 'off', ...spec.settings };
  const args = ['-D', spec.dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  writeFileSync(logFile, '');
  chownTree(logFile, user);
  const proc: ServiceProcess = spawnService({ name: spec.name, command: postgresBin, args, logFile, cwd: spec.dataDir, ...asUser(user) });
  const instance: PgInstance = {
    dataDir: spec.dataDir,
    port,
    logFile,
    pid: proc.pid,
    stop: async () => {
      if (!proc.hasExited) await stopService(proc, { signal: 'SIGINT', graceMs: 15_000 });
    },
    kill: async () => {
      if (proc.hasExited) return;
      killTree(proc.pid);
      await proc.exited;
    },
  };
  if (spec.waitReady ?? true) {
    try {
      await waitUntilReady(() => superuserQuery(async (c) => (await c.query('SELECT 1'), true), { socketDir: spec.dataDir, port, database: 'postgres', user: spec.superuser }), { name: spec.name, logFile, proc, deadlineMs: spec.readyTimeoutMs ?? 120_000, intervalMs: 50 });
    } catch (err) {
      await instance.stop().catch(() => undefined);
      throw err;
    }
  }
  return instance;
}

/** Rewrites PgBouncer's database entry to the given port and RELOADs it through the admin console. */
async function pointPgBouncerAt(pgbouncer: PgBouncerHandle | undefined, iniFile: string, port: number): Promise<void> {
  if (!pgbouncer) throw new LabError('this lab has no PgBouncer (the scenario\'s lab.pgbouncer must be true)');
  writeFileSync(iniFile, retargetIni(readFileSync(iniFile, 'utf8'), port));
  const client = new pg.Client({ connectionString: pgbouncer.adminUrl, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('RELOAD');
  } finally {
    await client.end().catch(() => undefined);
  }
}
