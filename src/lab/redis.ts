// A private Redis: redis-server on a free 127.0.0.1 port, maxmemory with allkeys-lru, AOF with fsync every second.

import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { requireBinary, type BinarySearch } from './binaries.ts';
import { manageService, removeAtExit, spawnService, waitUntilReady } from './process.ts';

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
  /** redis://127.0.0.1:<port> */
  readonly url: string;
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

/** Sends PING over a raw socket; resolves true on +PONG. */
export function redisPing(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('PING timed out'));
    }, timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      if (data.includes('\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        if (data.startsWith('+PONG')) resolve(true);
        else reject(new Error(`PING answered ${data.trim()}`));
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
  const args = [
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
    spawn: () => spawnService({ name: 'redis', command: bin, args, logFile, cwd: dir }),
    ready: (proc) => waitUntilReady(() => redisPing(port), { name: 'redis', logFile, proc, deadlineMs: opts.readyTimeoutMs ?? 20_000 }),
    ownedDir,
  });
  return {
    name: 'redis',
    url: `redis://127.0.0.1:${port}`,
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
