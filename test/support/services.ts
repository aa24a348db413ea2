// Test helpers: the lab's service starters, and startServices() for integration tests that need PG and Redis.

import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type PostgresHandle, type PostgresOptions } from '../../src/lab/postgres.ts';
import { startRedis, type RedisHandle, type RedisOptions } from '../../src/lab/redis.ts';
import { startPgBouncer, type PgBouncerHandle, type PgBouncerOptions } from '../../src/lab/pgbouncer.ts';
import { removeAtExit, removeDir } from '../../src/lab/process.ts';

export { startPostgres, startRedis, startPgBouncer };
export type { PostgresHandle, PostgresOptions, RedisHandle, RedisOptions, PgBouncerHandle, PgBouncerOptions };

/** Options of startServices. */
export interface StartServicesOptions {
  /** Also start PgBouncer (transaction mode) in front of PostgreSQL. */
  pgbouncer?: boolean;
  postgres?: Omit<PostgresOptions, 'dataDir' | 'logFile'>;
  redis?: Omit<RedisOptions, 'dir' | 'logFile'>;
  pgbouncerOptions?: Omit<PgBouncerOptions, 'postgresUrl' | 'dir' | 'logFile'>;
}

/** PostgreSQL, Redis and optionally PgBouncer, running in one temp folder. */
export interface Services {
  databaseUrl: string;
  redisUrl: string;
  pgbouncerUrl?: string;
  pgbouncerAdminUrl?: string;
  postgres: PostgresHandle;
  redis: RedisHandle;
  pgbouncer?: PgBouncerHandle;
  /** The shared temp folder (removed by stop()). */
  dir: string;
  /** Stops everything (reverse order) and removes the folder. */
  stop(): Promise<void>;
}

/**
 * Starts PG + Redis (+ PgBouncer) in one temp folder; call in `before`, and `stop()` in `after`.
 * PostgreSQL runs with fsync off: test data is throwaway.
 */
export async function startServices(opts: StartServicesOptions = {}): Promise<Services> {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-services-'));
  chmodSync(dir, 0o711);
  removeAtExit(dir);
  mkdirSync(join(dir, 'logs'));
  const started: Array<{ destroy(): Promise<void> }> = [];
  const stop = async (): Promise<void> => {
    for (const s of started.reverse()) await s.destroy().catch(() => undefined);
    started.length = 0;
    removeDir(dir);
  };
  try {
    const [pgResult, redisResult] = await Promise.allSettled([
      startPostgres({ unsafeNoFsync: true, ...opts.postgres, dataDir: join(dir, 'postgres'), logFile: join(dir, 'logs', 'postgres.log') }),
      startRedis({ ...opts.redis, dir: join(dir, 'redis'), logFile: join(dir, 'logs', 'redis.log') }),
    ]);
    if (pgResult.status === 'fulfilled') started.push(pgResult.value);
    if (redisResult.status === 'fulfilled') started.push(redisResult.value);
    if (pgResult.status === 'rejected') throw pgResult.reason;
    if (redisResult.status === 'rejected') throw redisResult.reason;
    const postgres = pgResult.value;
    const redis = redisResult.value;
    let pgbouncer: PgBouncerHandle | undefined;
    if (opts.pgbouncer) {
      pgbouncer = await startPgBouncer({
        ...opts.pgbouncerOptions,
        postgresUrl: postgres.databaseUrl,
        dir: join(dir, 'pgbouncer'),
        logFile: join(dir, 'logs', 'pgbouncer.log'),
      });
      started.push(pgbouncer);
    }
    return {
      databaseUrl: postgres.databaseUrl,
      redisUrl: redis.url,
      pgbouncerUrl: pgbouncer?.url,
      pgbouncerAdminUrl: pgbouncer?.adminUrl,
      postgres,
      redis,
      pgbouncer,
      dir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
