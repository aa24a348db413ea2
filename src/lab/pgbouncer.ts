// A private PgBouncer in transaction mode in front of the lab's PostgreSQL, with an admin console for collectors.

import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { requireBinary, type BinarySearch } from './binaries.ts';
import { asUser, chownTree, serviceUser } from './service-user.ts';
import { manageService, removeAtExit, spawnService, waitUntilReady } from './process.ts';
import { LabError } from '../errors.ts';

/** max_client_conn: the connection-storm drill's 10,000 clients, plus the target's pool, the collectors and the admin console. */
export const DEFAULT_MAX_CLIENT_CONN = 10_500;

/** Options of startPgBouncer. */
export interface PgBouncerOptions {
  /** The PostgreSQL URL to pool (user, password, host, port and database are taken from it). */
  postgresUrl: string;
  /** default_pool_size (default 25). */
  poolSize?: number;
  /** max_client_conn (default DEFAULT_MAX_CLIENT_CONN; needs an open-file limit above it). */
  maxClientConn?: number;
  /** Folder for the config, userlist and pid file. Default: a new temp folder. */
  dir?: string;
  logFile?: string;
  port?: number;
  search?: BinarySearch;
  readyTimeoutMs?: number;
}

/** A running private PgBouncer. */
export interface PgBouncerHandle {
  readonly name: 'pgbouncer';
  /** postgres://<user>:<password>@127.0.0.1:<port>/<database> (through the pooler) */
  readonly url: string;
  /** postgres://<user>:<password>@127.0.0.1:<port>/pgbouncer (SHOW POOLS, SHOW STATS) */
  readonly adminUrl: string;
  readonly port: number;
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** Quotes a value for pgbouncer's userlist.txt ("..." with doubled quotes). */
function userlistQuote(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/** The pgbouncer.ini text for the given settings (pure). */
export function pgbouncerConfig(s: {
  port: number;
  pgHost: string;
  pgPort: number;
  database: string;
  user: string;
  poolSize: number;
  maxClientConn: number;
  dir: string;
}): string {
  return [
    '[databases]',
    `${s.database} = host=${s.pgHost} port=${s.pgPort} dbname=${s.database}`,
    '',
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${s.port}`,
    'unix_socket_dir =',
    'auth_type = scram-sha-256',
    `auth_file = ${join(s.dir, 'userlist.txt')}`,
    `admin_users = ${s.user}`,
    `stats_users = ${s.user}`,
    'pool_mode = transaction',
    `default_pool_size = ${s.poolSize}`,
    'min_pool_size = 0',
    'reserve_pool_size = 0',
    `max_client_conn = ${s.maxClientConn}`,
    `max_db_connections = 0`,
    'ignore_startup_parameters = extra_float_digits,options',
    'server_reset_query =',
    `pidfile = ${join(s.dir, 'pgbouncer.pid')}`,
    'logfile =',
    'log_connections = 0',
    'log_disconnections = 0',
    'stats_period = 10',
    '',
  ].join('\n');
}

/** True when the admin console answers SHOW VERSION. */
async function adminAnswers(adminUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SHOW VERSION');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts a private PgBouncer.
 * parse the PG URL → write pgbouncer.ini and userlist.txt (owned by the service user) → spawn → admin console answers.
 */
export async function startPgBouncer(opts: PgBouncerOptions): Promise<PgBouncerHandle> {
  const bin = requireBinary('pgbouncer', opts.search);
  const pgUrl = new URL(opts.postgresUrl);
  const user = decodeURIComponent(pgUrl.username);
  const password = decodeURIComponent(pgUrl.password);
  const database = pgUrl.pathname.replace(/^\//, '') || user;
  if (!user || !password) throw new LabError('pgbouncer: postgresUrl must carry a user and a password');
  const runAs = serviceUser();
  let ownedDir: string | null = null;
  let dir = opts.dir;
  if (!dir) {
    ownedDir = mkdtempSync(join(tmpdir(), 'perfgate-pgbouncer-'));
    chmodSync(ownedDir, 0o711);
    removeAtExit(ownedDir);
    dir = join(ownedDir, 'conf');
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const logFile = opts.logFile ?? join(dir, '..', 'pgbouncer.log');
  const port = opts.port ?? (await freePort());
  const config = pgbouncerConfig({
    port,
    pgHost: pgUrl.hostname,
    pgPort: Number(pgUrl.port || 5432),
    database,
    user,
    poolSize: opts.poolSize ?? 25,
    maxClientConn: opts.maxClientConn ?? DEFAULT_MAX_CLIENT_CONN,
    dir,
  });
  const iniFile = join(dir, 'pgbouncer.ini');
  writeFileSync(iniFile, config, { mode: 0o600 });
  writeFileSync(join(dir, 'userlist.txt'), `${userlistQuote(user)} ${userlistQuote(password)}\n`, { mode: 0o600 });
  chownTree(dir, runAs);
  const auth = `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
  const url = `postgres://${auth}@127.0.0.1:${port}/${database}`;
  const adminUrl = `postgres://${auth}@127.0.0.1:${port}/pgbouncer`;

  const service = await manageService({
    spawn: () => spawnService({ name: 'pgbouncer', command: bin, args: [iniFile], logFile, cwd: dir, ...asUser(runAs) }),
    ready: (proc) => waitUntilReady(() => adminAnswers(adminUrl), { name: 'pgbouncer', logFile, proc, deadlineMs: opts.readyTimeoutMs ?? 20_000 }),
    ownedDir,
    // SIGTERM is PgBouncer's immediate shutdown (SIGINT would wait for clients).
    stop: { signal: 'SIGTERM', graceMs: 10_000 },
  });
  return {
    name: 'pgbouncer',
    url,
    adminUrl,
    port,
    get pid() {
      return service.pid;
    },
    logFile,
    stop: service.stop,
    start: service.start,
    destroy: service.destroy,
  };
}
