// A private Redis: redis-server on a free 127.0.0.1 port, maxmemory with allkeys-lru, AOF with fsync every second.
// Each instance has a random password (in a 0600 config file, never on the command line, where any local user could
// read it) and, when perfgate runs as root, runs as the unprivileged service user, as PostgreSQL does.

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { requireBinary, type BinarySearch } from './binaries.ts';
import { manageService, removeAtExit, spawnService, waitUntilReady } from './process.ts';
import { asUser, chownTree, serviceUser } from './service-user.ts';

/** Options of startRedis. */
export interface RedisOptions {
  /** Working folder (AOF files). Default: a new temp folder. */
  dir?: string;
  logFile?: string;
  port?: number;
  /** maxmemory in MB (default 256). */
  maxmemoryMb?: number;
  /** maxmemory-policy (default allkeys-lru). */
  maxmemoryPolicy?: string;
  /** appendonly (default true, with appendfsync everysec). */
  appendonly?: boolean;
  search?: BinarySearch;
  readyTimeoutMs?: number;
}

/** A running private Redis. */
export interface RedisHandle {
  readonly name: 'redis';
  /** redis://:<password>@127.0.0.1:<port> */
  readonly url: string;
  /** The instance's password (requirepass). */
  readonly password: string;
  readonly port: number;
  /** PID of redis-server (changes after start()). */
  readonly pid: number;
  readonly logFile: string;
  readonly dir: string;
  /** Stops redis-server; the data stays, so start() can bring it back on the same port (cache-outage drill). */
  stop(): Promise<void>;
  /** Starts redis-server again on the same port and folder. */
  start(): Promise<void>;
  /** stop(), then removes the folder when startRedis created it. */
  destroy(): Promise<void>;
}

/** Sends PING (after AUTH when a password is given) over a raw socket; resolves true on +PONG. */
export function redisPing(port: number, host = '127.0.0.1', timeoutMs = 1_000, password?: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('PING timed out'));
    }, timeoutMs);
    const auth = password === undefined ? '' : `AUTH ${password}\r\n`;
    const lines = password === undefined ? 1 : 2;
    socket.once('connect', () => socket.write(`${auth}PING\r\n`));
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      if (data.split('\r\n').length > lines) {
        clearTimeout(timer);
        socket.destroy();
        const last = data.split('\r\n')[lines - 1] ?? '';
        if (last.startsWith('+PONG')) resolve(true);
        else reject(new Error(`PING answered ${data.trim().split('\r\n').pop()}`));
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Starts a private Redis.
 * find redis-server → free port → spawn with the config on the command line → wait for PONG.
 */
export async function startRedis(opts: RedisOptions = {}): Promise<RedisHandle> {
  const bin = requireBinary('redis-server', opts.search);
  let ownedDir: string | null = null;
  let dir = opts.dir;
  if (!dir) {
    ownedDir = mkdtempSync(join(tmpdir(), 'perfgate-redis-'));
    removeAtExit(ownedDir);
    dir = join(ownedDir, 'data');
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const logFile = opts.logFile ?? join(dir, '..', 'redis.log');
  const port = opts.port ?? (await freePort());
  const appendonly = opts.appendonly ?? true;
  const user = serviceUser();
  if (ownedDir) chmodSync(ownedDir, 0o711); // the service user must reach its data folder
  const password = randomBytes(18).toString('base64url');
  const configFile = join(dir, 'redis.conf');
  writeFileSync(configFile, `requirepass ${password}\n`, { mode: 0o600 });
  chownTree(dir, user);
  const args = [
    configFile,
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--protected-mode', 'yes',
    '--daemonize', 'no',
    '--dir', dir,
    '--maxmemory', `${opts.maxmemoryMb ?? 256}mb`,
    '--maxmemory-policy', opts.maxmemoryPolicy ?? 'allkeys-lru',
    '--appendonly', appendonly ? 'yes' : 'no',
    '--appendfsync', 'everysec',
    '--save', '',
    '--logfile', '',
    '--maxclients', '10000',
  ];
  const service = await manageService({
    spawn: () => spawnService({ name: 'redis', command: bin, args, logFile, cwd: dir, ...asUser(user) }),
    ready: (proc) => waitUntilReady(() => redisPing(port, '127.0.0.1', 1_000, password), { name: 'redis', logFile, proc, deadlineMs: opts.readyTimeoutMs ?? 20_000 }),
    ownedDir,
  });
  return {
    name: 'redis',
    url: `redis://:${password}@127.0.0.1:${port}`,
    password,
    port,
    get pid() {
      return service.pid;
    },
    logFile,
    dir,
    stop: service.stop,
    start: service.start,
    destroy: service.destroy,
  };
}
