// The whole lab: PostgreSQL, Redis, optional PgBouncer, the upstream simulator and the target, started in that
// order on free loopback ports in one temporary folder, and torn down in reverse order.

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ROLE, startPostgres, type PostgresHandle } from './postgres.ts';
import { startRedis, type RedisHandle } from './redis.ts';
import { startPgBouncer, type PgBouncerHandle } from './pgbouncer.ts';
import { freePort } from './free-port.ts';
import { groupMembers, removeAtExit, removeDir } from './process.ts';
import { requireBinary, RECOVERY_BINARIES, REQUIRED_BINARIES, type BinarySearch } from './binaries.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { recoveryPostgresOptions, startRecoveryKit, type RecoveryKit } from './recovery/kit.ts';
import { raiseOpenFileLimit } from './open-files.ts';
import { runTargetCommand, startTargetServer, startUpstream, TARGET_MAIN, UPSTREAM_MAIN, requireEntry, type NodeServiceHandle, type ServiceWrap } from './target-process.ts';
import type { LabInfo } from './lab-info.ts';
import { makeLabCertificates } from './tls-certs.ts';
import { startLabPrometheus } from './prometheus.ts';
import { LabError } from '../errors.ts';

/** Options of startLab. */
export interface LabOptions {
  /** Put PgBouncer (transaction mode) between the target and PostgreSQL. */
  pgbouncer?: boolean;
  /** Target workers (TARGET_WORKERS, default 1). */
  workers?: number;
  /** Seed data size (default 'small'). */
  seed?: 'small' | 'default' | 'none';
  /** Start the upstream simulator and the target (default true); false gives only the data services. */
  target?: boolean;
  /** Folder for everything (default: a new temp folder, removed by stop()). */
  stateDir?: string;
  /** Progress lines ("postgres ready on 127.0.0.1:54321 (1.2 s)"). */
  onLog?: (line: string) => void;
  /** Tear down on SIGINT/SIGTERM (default true); the signal is re-raised when nobody else listens. */
  handleSignals?: boolean;
  /** Number of access tokens minted into tokens.csv (default 500). */
  tokens?: number;
  /** LOG_LEVEL of the target (default 'warn': request logs would fill the disk under load). */
  targetLogLevel?: string;
  /** PostgreSQL with fsync off (throwaway data; default false). */
  unsafeNoFsync?: boolean;
  /** Where to look for the binaries. */
  search?: BinarySearch;
  /** Extra environment for the target (DB_POOL_MAX, RATE_LIMIT_FAIL_POLICY, ...). */
  targetEnv?: Record<string, string>;
  /** Run the target inside this wrapper (a profiler), in one process (TARGET_WORKERS=0); `workers` is then ignored. */
  targetWrap?: ServiceWrap;
  /** Serve the target over HTTPS (TLS 1.2 at the least) with a certificate from a CA the lab makes (tls-certs.ts). */
  tls?: boolean;
  /** Run Prometheus (src/lab/prometheus.ts) on the target and the harness, with these rules (an exported rules file). */
  prometheus?: { rulesYaml: string };
  /** PostgreSQL with data checksums and WAL archiving into a pgBackRest repository, for the recovery drills. */
  recovery?: boolean;
  /** Put a fault proxy on the target's path to the database (the db-network drill). */
  dbProxy?: boolean;
}

/** Fault injection for resilience drills. */
export interface LabFaults {
  /** Stops Redis (the cache-outage drill); redisStart() brings it back on the same port. */
  redisStop(): Promise<void>;
  redisStart(): Promise<void>;
  /** Restarts PostgreSQL (fast shutdown, then start on the same port and data). */
  postgresRestart(): Promise<void>;
  /** POSTs a control object to the upstream simulator and returns its JSON answer. */
  upstream(control: Record<string, unknown>): Promise<unknown>;
  /** SIGKILLs one target worker; resolves to its PID. */
  killWorker(): Promise<number>;
  /** The recovery drills' kit, in a lab started with `recovery` (in-process only). */
  recovery?: RecoveryKit;
  /** The fault proxy on the target's path to the database, in a lab started with `dbProxy` (in-process only). */
  dbProxy?: FaultProxy;
}

/** A running lab. */
export interface Lab {
  /** URLs, PIDs, ports and logs (updated when a fault restarts a service). */
  info: LabInfo;
  /** Stops everything in reverse order and removes the folder; safe to call twice. */
  stop(): Promise<void>;
  faults: LabFaults;
  /** Resolves once the lab has been stopped (by stop() or a signal). */
  stopped: Promise<void>;
  /** Stops the target alone (its wrapper's way, when it has one) and waits until it has exited; the rest keeps running. */
  stopTarget(): Promise<void>;
}

/** Seconds since t0, one decimal ("1.2 s"). */
function since(t0: number): string {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

type Stoppable = { name: string; stop(): Promise<void> };

/** Throws a PrerequisiteError (with the install command) when a binary or the target's code is missing. */
export function checkLabPrerequisites(opts: Pick<LabOptions, 'pgbouncer' | 'target' | 'search' | 'recovery'> & { prometheus?: unknown } = {}): void {
  for (const name of REQUIRED_BINARIES) requireBinary(name, opts.search);
  if (opts.pgbouncer) requireBinary('pgbouncer', opts.search);
  if (opts.prometheus) requireBinary('prometheus', opts.search);
  if (opts.recovery) for (const name of RECOVERY_BINARIES) requireBinary(name, opts.search);
  if (opts.target ?? true) {
    requireEntry(TARGET_MAIN);
    requireEntry(UPSTREAM_MAIN);
  }
}

/** The lab's folders: the state folder (owned: made here and removed at stop), and its logs and setup files. */
interface LabPaths {
  stateDir: string;
  ownedDir: string | null;
  logs: string;
  tokensFile: string;
  keysDir: string;
  setupLog: string;
  keyEnv: { JWT_PRIVATE_KEY_FILE: string; JWT_PUBLIC_KEY_FILE: string };
}

/** How the lab stops: the services started so far (stopped in reverse order), and the signal handlers. */
interface Teardown {
  running: Stoppable[];
  stop(): Promise<void>;
  stopped: Promise<void>;
}

/** The services the lab started: the data services always, the upstream simulator and the target with `target`. */
interface LabServices {
  postgres: PostgresHandle;
  redis: RedisHandle;
  pgbouncer?: PgBouncerHandle;
  upstream?: NodeServiceHandle;
  target?: NodeServiceHandle;
  recovery?: RecoveryKit;
  dbProxy?: FaultProxy;
}

/** What starts before the data services, because it needs none: key generation and tokens, and the upstream. */
interface EarlyStarters {
  tokensReady: Promise<void> | null;
  upstreamReady: Promise<NodeServiceHandle> | null;
  upstreamToken: string;
}

/** Checks the options and the binaries, and raises the open-file limit PgBouncer's connection storm needs. */
function checkLabStart(opts: LabOptions, workers: number, log: (line: string) => void): void {
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new LabError(`workers must be an integer from 1 to 64, got ${workers}`);
  checkLabPrerequisites(opts);
  if (opts.pgbouncer) {
    const limit = raiseOpenFileLimit();
    if (limit.before.soft !== limit.after.soft || !limit.ok) log(limit.message);
  }
}

/** Makes the state folder (a temporary one unless given, removed at exit) and names the files in it. */
function makeLabPaths(opts: LabOptions): LabPaths {
  let ownedDir: string | null = null;
  const stateDir = opts.stateDir ?? (ownedDir = mkdtempSync(join(tmpdir(), 'perfgate-lab-')));
  if (ownedDir) removeAtExit(ownedDir);
  mkdirSync(stateDir, { recursive: true });
  chmodSync(stateDir, 0o711);
  const logs = join(stateDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const keysDir = join(stateDir, 'keys');
  return {
    stateDir,
    ownedDir,
    logs,
    tokensFile: join(stateDir, 'tokens.csv'),
    keysDir,
    setupLog: join(logs, 'target-setup.log'),
    keyEnv: { JWT_PRIVATE_KEY_FILE: join(keysDir, 'jwt-private.pem'), JWT_PUBLIC_KEY_FILE: join(keysDir, 'jwt-public.pem') },
  };
}

/** The teardown: stops the running services in reverse order, removes an owned folder; SIGINT/SIGTERM trigger it. */
function createTeardown(ownedDir: string | null, handleSignals: boolean, log: (line: string) => void): Teardown {
  const running: Stoppable[] = [];
  let stopping: Promise<void> | null = null;
  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (markStopped = r));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(128 + (signal === 'SIGINT' ? 2 : 15)); // a second signal: exit now (the exit hook kills)
    void stop().then(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (handleSignals) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      for (const service of [...running].reverse()) {
        const t0 = Date.now();
        await service.stop().catch((err: unknown) => log(`${service.name}: stop failed: ${(err as Error).message}`));
        log(`${service.name} stopped (${since(t0)})`);
      }
      running.length = 0;
      if (ownedDir) {
        const t0 = Date.now();
        removeDir(ownedDir);
        log(`removed ${ownedDir} (${since(t0)})`);
      }
      markStopped();
    })();
    return stopping;
  };
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return { running, stop, stopped };
}

/** Starts key generation (then the tokens) and the upstream simulator, which need no data service. */
function startEarly(opts: LabOptions, paths: LabPaths, withTarget: boolean): EarlyStarters {
  const tokensReady: Promise<void> | null = withTarget
    ? (async () => {
        const env = { ...process.env, ...opts.targetEnv, ...paths.keyEnv };
        await runTargetCommand(['gen-keys', '--out', paths.keysDir], env, paths.setupLog);
        const count = String(opts.tokens ?? 500);
        await runTargetCommand(['mint-tokens', '--count', count, '--ttl', '15m', '--client', 'perfgate-load', '--out', paths.tokensFile], env, paths.setupLog);
      })()
    : null;
  const upstreamToken = randomBytes(24).toString('base64url'); // fault control needs it (see upstream/server.ts)
  const upstreamReady: Promise<NodeServiceHandle> | null = withTarget
    ? freePort().then((port) => startUpstream(port, join(paths.logs, 'upstream.log'), { UPSTREAM_CONTROL_TOKEN: upstreamToken }))
    : null;
  tokensReady?.catch(() => undefined);
  upstreamReady?.catch(() => undefined);
  return { tokensReady, upstreamReady, upstreamToken };
}

/** Starts PostgreSQL, Redis and (optionally) PgBouncer, each pushed onto the teardown once ready. */
async function startDataServices(opts: LabOptions, paths: LabPaths, running: Stoppable[], log: (line: string) => void): Promise<LabServices> {
  let t0 = Date.now();
  const recovery = opts.recovery ? recoveryPostgresOptions(paths.stateDir, await freePort(), opts.search) : undefined;
  const postgres = await startPostgres({ dataDir: join(paths.stateDir, 'postgres'), logFile: join(paths.logs, 'postgres.log'), unsafeNoFsync: opts.unsafeNoFsync, search: opts.search, ...(recovery ? { port: recovery.port, dataChecksums: recovery.dataChecksums, settings: recovery.settings } : {}) });
  running.push({ name: 'postgres', stop: () => postgres.stop() });
  log(`postgres ready on 127.0.0.1:${postgres.port}${recovery ? ' (data checksums, WAL archiving to pgBackRest)' : ''} (${since(t0)})`);
  t0 = Date.now();
  const redis = await startRedis({ dir: join(paths.stateDir, 'redis'), logFile: join(paths.logs, 'redis.log'), search: opts.search });
  running.push({ name: 'redis', stop: () => redis.stop() });
  log(`redis ready on 127.0.0.1:${redis.port} (${since(t0)})`);
  let pgbouncer: PgBouncerHandle | undefined;
  if (opts.pgbouncer) {
    t0 = Date.now();
    const started = (pgbouncer = await startPgBouncer({ postgresUrl: postgres.appDatabaseUrl, dir: join(paths.stateDir, 'pgbouncer'), logFile: join(paths.logs, 'pgbouncer.log'), search: opts.search }));
    running.push({ name: 'pgbouncer', stop: () => started.stop() });
    log(`pgbouncer ready on 127.0.0.1:${started.port} (${since(t0)})`);
  }
  let kit: RecoveryKit | undefined;
  if (recovery) {
    t0 = Date.now();
    const started = (kit = await startRecoveryKit({ postgres, pgbouncer, backrestDir: recovery.backrestDir, stateDir: paths.stateDir, search: opts.search }));
    running.push({ name: 'recovery instances', stop: () => started.stopInstances() });
    log(`pgbackrest stanza ${started.stanza} created and checked (${since(t0)})`);
  }
  let dbProxy: FaultProxy | undefined;
  if (opts.dbProxy) {
    const proxy = (dbProxy = await startFaultProxy({ upstreamPort: pgbouncer?.port ?? postgres.port }));
    running.push({ name: 'db fault proxy', stop: () => proxy.close() });
    log(`db fault proxy on 127.0.0.1:${proxy.port} in front of ${pgbouncer ? 'pgbouncer' : 'postgres'}`);
  }
  return { postgres, redis, pgbouncer, ...(kit ? { recovery: kit } : {}), ...(dbProxy ? { dbProxy } : {}) };
}

/** The LabInfo of the data services; the upstream's and the target's fields are filled in once they run. */
function dataServicesInfo(s: LabServices, paths: LabPaths, workers: number, seed: LabInfo['seed'], withTarget: boolean): LabInfo {
  const { postgres, redis, pgbouncer } = s;
  return {
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    stateDir: paths.stateDir,
    databaseUrl: postgres.databaseUrl,
    redisUrl: redis.url,
    pgbouncerUrl: pgbouncer?.url,
    pgbouncerAdminUrl: pgbouncer?.adminUrl,
    upstreamUrl: '',
    upstreamControlUrl: '',
    targetUrl: '',
    metricsUrl: '',
    tokensFile: withTarget ? paths.tokensFile : '',
    workers,
    seed: withTarget ? seed : 'none',
    services: {
      postgres: { pid: postgres.pid, port: postgres.port, logFile: postgres.logFile },
      redis: { pid: redis.pid, port: redis.port, logFile: redis.logFile },
      ...(pgbouncer ? { pgbouncer: { pid: pgbouncer.pid, port: pgbouncer.port, logFile: pgbouncer.logFile } } : {}),
    },
  };
}

/** Migrates and seeds the database, waits for the tokens and the upstream, then starts the target on them. */
async function startTargetStack(opts: LabOptions, ctx: { paths: LabPaths; early: EarlyStarters; services: LabServices; info: LabInfo; running: Stoppable[]; log: (line: string) => void; tStart: number }): Promise<void> {
  const { paths, early, services, info, running, log } = ctx;
  const { postgres, redis, pgbouncer } = services;
  const seed = opts.seed ?? 'small';
  const workers = info.workers;
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, ...opts.targetEnv, ...paths.keyEnv, DATABASE_URL: postgres.databaseUrl, REDIS_URL: redis.url, LOG_LEVEL: opts.targetLogLevel ?? 'warn' };
  let t0 = Date.now();
  await runTargetCommand(['migrate'], { ...baseEnv, DATABASE_APP_ROLE: APP_ROLE }, paths.setupLog);
  if (seed !== 'none') await runTargetCommand(['seed', '--size', seed], baseEnv, paths.setupLog);
  await early.tokensReady;
  log(`target data ready: keys, migrations, seed ${seed}, ${opts.tokens ?? 500} tokens (${since(t0)})`);

  const upstream = (services.upstream = await early.upstreamReady!);
  running.push(upstream);
  log(`upstream ready on 127.0.0.1:${upstream.port} (${since(ctx.tStart)} since the lab started)`);
  info.upstreamUrl = upstream.url;
  info.upstreamControlUrl = `${upstream.url}/__control`;
  info.upstreamControlToken = early.upstreamToken;
  info.services.upstream = { pid: upstream.pid, port: upstream.port, logFile: upstream.logFile };

  t0 = Date.now();
  // /metrics is behind a bearer token; the lab's collectors send it (collectors/resolve.ts, metricsBearer)
  const metricsToken = baseEnv.METRICS_TOKEN || randomBytes(24).toString('base64url');
  const env = { ...baseEnv, METRICS_TOKEN: metricsToken, AUDIT_LOG_FILE: baseEnv.AUDIT_LOG_FILE || join(paths.logs, 'audit.log'), DATABASE_URL: viaProxy(pgbouncer?.url ?? postgres.appDatabaseUrl, services.dbProxy), UPSTREAM_URL: upstream.url, TARGET_WORKERS: String(workers) };
  const tls = opts.tls ? await makeLabCertificates(join(paths.stateDir, 'tls')) : undefined;
  const tlsEnv = tls ? { TARGET_TLS: '1', TLS_CERT_FILE: tls.certFile, TLS_KEY_FILE: tls.keyFile } : {};
  const tlsCa = tls ? readFileSync(tls.caFile, 'utf8') : undefined;
  const target = (services.target = await startTargetServer(await freePort(), join(paths.logs, 'target.log'), { ...env, ...tlsEnv }, opts.targetWrap, tlsCa));
  running.push(target);
  log(`target ready on 127.0.0.1:${target.port} ${workers ? `with ${workers} worker${workers > 1 ? 's' : ''}` : 'in one process'} (${since(t0)})`);
  info.targetUrl = target.url;
  info.metricsUrl = `${target.url}/metrics`;
  info.metricsToken = metricsToken;
  if (tls) info.caFile = tls.caFile;
  info.services.target = { pid: target.pid, port: target.port, logFile: target.logFile };
}

/** The URL with its port replaced by the fault proxy's, when there is one. */
function viaProxy(url: string, proxy: FaultProxy | undefined): string {
  if (!proxy) return url;
  const u = new URL(url);
  u.port = String(proxy.port);
  return u.toString();
}

/** Stops the target alone and waits until it has exited (a profiler writes its data then). */
async function stopTargetOf(s: LabServices, log: (line: string) => void): Promise<void> {
  if (!s.target) return;
  const t0 = Date.now();
  await s.target.stop();
  log(`target stopped (${since(t0)})`);
}

/** The faults the lab can inject into its own services (drills). */
function faultsOf(s: LabServices, info: LabInfo, upstreamToken: string): LabFaults {
  const { postgres, redis, target } = s;
  return {
    ...(s.recovery ? { recovery: s.recovery } : {}),
    ...(s.dbProxy ? { dbProxy: s.dbProxy } : {}),
    redisStop: () => redis.stop(),
    redisStart: async () => {
      await redis.start();
      info.services.redis = { ...info.services.redis!, pid: redis.pid };
    },
    postgresRestart: async () => {
      await postgres.restart();
      info.services.postgres = { ...info.services.postgres!, pid: postgres.pid };
    },
    upstream: async (control) => {
      if (!info.upstreamControlUrl) throw new LabError('upstream: this lab has no upstream simulator (target: false)');
      const res = await fetch(info.upstreamControlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${upstreamToken}` },
        body: JSON.stringify(control),
        signal: AbortSignal.timeout(5_000),
      });
      const text = await res.text();
      if (!res.ok) throw new LabError(`upstream control answered ${res.status}: ${text.slice(0, 200)}`);
      return text ? (JSON.parse(text) as unknown) : null;
    },
    killWorker: async () => {
      if (!target) throw new LabError('target: this lab has no target (target: false)');
      const victim = groupMembers(target.pid).filter((p) => p !== target.pid)[0];
      if (victim === undefined) throw new LabError(`target: no worker process to kill (TARGET_WORKERS=${info.workers})`);
      process.kill(victim, 'SIGKILL');
      return victim;
    },
  };
}

/**
 * Starts the lab. Any failure tears down what was started and rethrows.
 *
 *   checkLabStart (options, binaries, open files) -> makeLabPaths -> createTeardown (signals)
 *     -> startEarly (gen-keys + tokens, upstream: in the background)
 *     -> startDataServices (postgres -> redis -> [pgbouncer]) -> dataServicesInfo
 *     -> [startTargetStack: migrate, seed, tokens, upstream, target] -> [prometheus] -> faultsOf -> Lab
 */
export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const log = opts.onLog ?? (() => undefined);
  const withTarget = opts.target ?? true;
  // A wrapped (profiled) target runs in one process: TARGET_WORKERS=0.
  const workers = opts.targetWrap ? 1 : (opts.workers ?? 1);
  checkLabStart(opts, workers, log);
  const paths = makeLabPaths(opts);
  const { running, stop, stopped } = createTeardown(paths.ownedDir, opts.handleSignals ?? true, log);
  const tStart = Date.now();
  const early = startEarly(opts, paths, withTarget);
  try {
    const services = await startDataServices(opts, paths, running, log);
    const info = dataServicesInfo(services, paths, opts.targetWrap ? 0 : workers, opts.seed ?? 'small', withTarget);
    if (withTarget) await startTargetStack(opts, { paths, early, services, info, running, log, tStart });
    if (opts.prometheus) {
      const t0 = Date.now();
      running.push(await startLabPrometheus(info, { stateDir: paths.stateDir, logs: paths.logs, rulesYaml: opts.prometheus.rulesYaml, search: opts.search }));
      log(`prometheus ready on ${info.prometheus!.url} (${since(t0)})`);
    }
    return { info, stop, faults: faultsOf(services, info, early.upstreamToken), stopped, stopTarget: () => stopTargetOf(services, log) };
  } catch (err) {
    // Wait for the early starters, so nothing they started escapes the teardown.
    await early.tokensReady?.catch(() => undefined);
    const upstream = await early.upstreamReady?.catch(() => null);
    if (upstream && !running.includes(upstream)) running.push(upstream);
    await stop();
    throw err;
  }
}
