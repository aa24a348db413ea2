// A private PostgreSQL: initdb into a data folder, then `postgres` on a free 127.0.0.1 port, with a `perfgate`
// database and role (a password generated per instance) and pg_stat_statements when the system has it.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { requireBinary, siblingBinary, type BinarySearch } from './binaries.ts';
import { asUser, chownTree, serviceUser } from './service-user.ts';
import { removeAtExit, removeDir, serviceError, killTree, signalGroup, spawnService, stopService, waitUntilReady, type ServiceProcess } from './process.ts';

/** Options of startPostgres. */
export interface PostgresOptions {
  /** The cluster's data folder (created; must not hold a cluster yet). Default: a new temp folder. */
  dataDir?: string;
  /** Log file (default: postgres.log next to the data folder). */
  logFile?: string;
  /** TCP port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** max_connections (default 200). */
  maxConnections?: number;
  /** shared_preload_libraries (default: pg_stat_statements when installed). */
  sharedPreloadLibraries?: string[];
  /** fsync, synchronous_commit and full_page_writes off: faster, for throwaway test data only (default false). */
  unsafeNoFsync?: boolean;
  /** Where to look for the binaries. */
  search?: BinarySearch;
  /** Readiness deadline in ms (default 60 000). */
  readyTimeoutMs?: number;
  /** initdb --data-checksums (the recovery drills' integrity checks read them; default false). */
  dataChecksums?: boolean;
  /** More server settings on the command line (WAL archiving for the recovery drills). */
  settings?: Record<string, string>;
}

/** A running private PostgreSQL. */
export interface PostgresHandle {
  readonly name: 'postgres';
  /** postgres://perfgate:<password>@127.0.0.1:<port>/perfgate */
  readonly url: string;
  readonly databaseUrl: string;
  /** postgres://perfgate_app:<password>@127.0.0.1:<port>/perfgate: the service's least-privilege role (APP_ROLE). */
  readonly appDatabaseUrl: string;
  readonly password: string;
  readonly port: number;
  /** PID of the postmaster (changes after restart()). */
  readonly pid: number;
  readonly logFile: string;
  readonly dataDir: string;
  /** True when pg_stat_statements is loaded and created in the perfgate database. */
  readonly pgStatStatements: boolean;
  /** Stops the server (fast shutdown); the data stays, so start() can bring it back. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data. */
  start(): Promise<void>;
  /** stop() then start() (the postgres-restart fault). */
  restart(): Promise<void>;
  /** SIGKILL of the whole server (postmaster and backends), as a crash; resolves once it has exited. */
  kill(): Promise<void>;
  /** stop(), then removes the folder when startPostgres created it. */
  destroy(): Promise<void>;
}

/** True when the server's library folder has pg_stat_statements. */
function hasPgStatStatements(postgresBin: string): boolean {
  const pgConfig = siblingBinary(postgresBin, 'pg_config');
  let libDir = join(dirname(postgresBin), '..', 'lib');
  if (pgConfig) {
    try {
      libDir = execFileSync(pgConfig, ['--pkglibdir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      // keep the guess
    }
  }
  return existsSync(join(libDir, 'pg_stat_statements.so')) || existsSync(join(libDir, 'pg_stat_statements.dylib'));
}

/** Runs initdb as the service user; throws a LabError with its output when it fails. */
function initdb(initdbBin: string, dataDir: string, logFile: string, checksums = false): void {
  const user = serviceUser();
  const args = ['-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'];
  if (checksums) args.push('--data-checksums');
  try {
    execFileSync(initdbBin, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...asUser(user), cwd: dataDir, timeout: 120_000 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw serviceError('postgres', `initdb failed: ${(e.stderr || e.stdout || e.message).trim()}`, logFile);
  }
}

/** Connects as the superuser over the unix socket in the data folder and runs fn. */
async function asSuperuser<T>(dataDir: string, port: number, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: dataDir, port, user: 'postgres', database, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The SCRAM-SHA-256 verifier of a password (RFC 5802/7677, as PostgreSQL stores it): `CREATE ROLE … PASSWORD` given a
 * verifier stores it as is, so the password itself never reaches the server, its logs or pg_stat_statements.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** The role the service connects as: it may read and write the data the migrations grant it, and create nothing. */
export const APP_ROLE = 'perfgate_app';

/**
 * Creates the perfgate role (from a SCRAM verifier) and database, the app role (APP_ROLE: CONNECT only; the
 * migrations grant its data privileges; no TEMPORARY for anyone but the owner), and pg_stat_statements in it; then resets the
 * statement statistics, so the app role, which may read them (pg_monitor), finds no provisioning statement there.
 * Returns whether the extension exists.
 */
async function provision(dataDir: string, port: number, password: string, appPassword: string, withStatements: boolean): Promise<boolean> {
  await asSuperuser(dataDir, port, 'postgres', async (c) => {
    await c.query(`CREATE ROLE perfgate LOGIN PASSWORD ${c.escapeLiteral(scramVerifier(password))}`);
    await c.query('GRANT pg_monitor TO perfgate');
    await c.query('CREATE DATABASE perfgate OWNER perfgate');
    await c.query(`CREATE ROLE ${APP_ROLE} LOGIN NOINHERIT PASSWORD ${c.escapeLiteral(scramVerifier(appPassword))}`);
    await c.query('REVOKE ALL ON DATABASE perfgate FROM PUBLIC');
    await c.query(`GRANT CONNECT ON DATABASE perfgate TO ${APP_ROLE}`);
  });
  // Before PostgreSQL 15 every role may create in schema public.
  await asSuperuser(dataDir, port, 'perfgate', (c) => c.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC'));
  if (!withStatements) return false;
  return asSuperuser(dataDir, port, 'perfgate', async (c) => {
    try {
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await c.query('GRANT EXECUTE ON FUNCTION pg_stat_statements_reset TO perfgate').catch(() => undefined);
      await c.query('SELECT pg_stat_statements_reset()');
      return true;
    } catch {
      return false;
    }
  });
}

/** True when a TCP connection with the given URL succeeds. */
async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The data folder (a temporary one unless given, removed at exit), owned by the service user, and the log file. */
function prepareDataDir(opts: PostgresOptions, user: ReturnType<typeof serviceUser>): { dataDir: string; ownedDir: string | null; logFile: string } {
  let ownedDir: string | null = null;
  let dataDir = opts.dataDir;
  if (!dataDir) {
    ownedDir = mkdtempSync(join(tmpdir(), 'perfgate-pg-'));
    chmodSync(ownedDir, 0o711);
    removeAtExit(ownedDir);
    dataDir = join(ownedDir, 'data');
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  chownTree(dataDir, user);
  return { dataDir, ownedDir, logFile: opts.logFile ?? join(dirname(dataDir), 'postgres.log') };
}

/** The server's command line: loopback only, its socket in the data folder, the connection limit and preloads. */
function serverArgs(opts: PostgresOptions, dataDir: string, port: number, preload: readonly string[]): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dataDir,
    max_connections: String(opts.maxConnections ?? 200),
    shared_preload_libraries: preload.join(','),
    logging_collector: 'off',
    ...opts.settings,
  };
  if (opts.unsafeNoFsync) Object.assign(settings, { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' });
  return ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

/**
 * Starts a private PostgreSQL.
 * find binaries → initdb (as the service user) → postgres on a free port → wait (unix socket) → role, database,
 * pg_stat_statements → wait for the perfgate URL over TCP.
 */
export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresHandle> {
  const postgresBin = realpathSync(requireBinary('postgres', opts.search));
  const initdbBin = siblingBinary(postgresBin, 'initdb') ?? requireBinary('initdb', opts.search);
  const user = serviceUser();
  const { dataDir, ownedDir, logFile } = prepareDataDir(opts, user);
  const port = opts.port ?? (await freePort());
  const password = randomBytes(18).toString('base64url');
  const appPassword = randomBytes(18).toString('base64url');
  const databaseUrl = `postgres://perfgate:${password}@127.0.0.1:${port}/perfgate`;
  const appDatabaseUrl = `postgres://${APP_ROLE}:${appPassword}@127.0.0.1:${port}/perfgate`;
  const preload = opts.sharedPreloadLibraries ?? (hasPgStatStatements(postgresBin) ? ['pg_stat_statements'] : []);
  const args = serverArgs(opts, dataDir, port, preload);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  initdb(initdbBin, dataDir, logFile, opts.dataChecksums);

  let proc: ServiceProcess | null = null;
  const launch = async (): Promise<void> => {
    proc = spawnService({ name: 'postgres', command: postgresBin, args, logFile, cwd: dataDir, ...asUser(user) });
    const current = proc;
    await waitUntilReady(() => asSuperuser(dataDir, port, 'postgres', async (c) => (await c.query('SELECT 1'), true)), {
      name: 'postgres',
      logFile,
      proc: current,
      deadlineMs: readyTimeoutMs,
    });
  };
  const stop = async (): Promise<void> => {
    if (proc && !proc.hasExited) await stopService(proc, { signal: 'SIGINT', graceMs: 15_000 });
  };
  const kill = async (): Promise<void> => {
    const current = proc as ServiceProcess | null;
    if (!current || current.hasExited) return;
    killTree(current.pid);
    await current.exited;
  };
  const destroy = async (): Promise<void> => {
    await stop();
    if (ownedDir) removeDir(ownedDir);
  };

  let statements = false;
  try {
    await launch();
    statements = await provision(dataDir, port, password, appPassword, preload.includes('pg_stat_statements'));
    await waitUntilReady(() => canConnect(databaseUrl), { name: 'postgres', logFile, proc: proc ?? undefined, deadlineMs: 10_000 });
  } catch (err) {
    await destroy().catch(() => undefined);
    throw err;
  }

  const running = () => proc as ServiceProcess | null;
  return handleOf({ databaseUrl, appDatabaseUrl, password, port, logFile, dataDir, pgStatStatements: statements }, { running, launch, stop, kill, destroy });
}

/** The handle of a started server: its facts, and start, stop, restart and destroy over its process. */
function handleOf(
  facts: Pick<PostgresHandle, 'databaseUrl' | 'appDatabaseUrl' | 'password' | 'port' | 'logFile' | 'dataDir' | 'pgStatStatements'>,
  ops: { running: () => ServiceProcess | null; launch: () => Promise<void>; stop: () => Promise<void>; kill: () => Promise<void>; destroy: () => Promise<void> },
): PostgresHandle {
  return {
    name: 'postgres',
    url: facts.databaseUrl,
    ...facts,
    get pid() {
      return ops.running()?.pid ?? 0;
    },
    stop: ops.stop,
    start: async () => {
      const proc = ops.running();
      if (proc && !proc.hasExited) return;
      await ops.launch();
    },
    restart: async () => {
      await ops.stop();
      await ops.launch();
    },
    kill: ops.kill,
    destroy: ops.destroy,
  };
}
