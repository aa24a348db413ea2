// The PostgreSQL pool: bounded, never waits forever, survives idle-client errors, and times every query.
// Only unnamed, parameterised statements and no session state, so it works behind PgBouncer in transaction mode.

import pg from 'pg';
import type { Histogram } from 'prom-client';
import { classifyDbError } from './errors.ts';
import { slowed } from '../slowdown.ts';

/** Pool settings. */
export interface PoolOptions {
  databaseUrl: string;
  max: number;
  acquireTimeoutMs: number;
  statementTimeoutMs: number;
  /** pg's query_timeout: the client gives up on an answer after this (0 or absent: never). */
  queryTimeoutMs?: number;
  onError: (err: Error) => void;
  onNotice?: (message: string) => void;
  /** Testbed: every query takes this many times as long (1 = off). */
  slowFactor?: number;
}

/** A pool plus query timing; `query` maps connectivity failures to DbUnavailableError. */
export interface Db {
  pool: pg.Pool;
  query<R extends pg.QueryResultRow>(name: string, text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  stats(): { total: number; idle: number; waiting: number; max: number };
  /** Whether the server accepted statement_timeout as a startup parameter (PgBouncer refuses it). */
  statementTimeoutApplied(): boolean;
  close(): Promise<void>;
}

/** The pg message when a startup parameter is refused (PgBouncer without it in ignore_startup_parameters). */
const UNSUPPORTED_PARAM = 'unsupported startup parameter';

/**
 * Creates the pool. statement_timeout goes in the startup packet; if the server (PgBouncer) refuses that parameter,
 * the pool is rebuilt without it, and the limit is left to the server's own settings (a warning is logged).
 */
export function createDb(options: PoolOptions, queryHistogram?: Histogram<'query'>): Db {
  let withTimeout = true;
  const build = (): pg.Pool => {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.max,
      connectionTimeoutMillis: options.acquireTimeoutMs,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: false,
      ...(withTimeout ? { statement_timeout: options.statementTimeoutMs } : {}),
      ...(options.queryTimeoutMs ? { query_timeout: options.queryTimeoutMs } : {}),
      application_name: 'perfgate-target',
    });
    pool.on('error', (err) => options.onError(err));
    return pool;
  };
  let pool = build();
  const db: Db = {
    get pool() {
      return pool;
    },
    async query<R extends pg.QueryResultRow>(name: string, text: string, params: unknown[] = []) {
      const end = queryHistogram?.startTimer({ query: name });
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            return await slowed(options.slowFactor ?? 1, () => pool.query<R>(text, params));
          } catch (err) {
            if (attempt === 0 && withTimeout && err instanceof Error && err.message.includes(UNSUPPORTED_PARAM)) {
              withTimeout = false;
              options.onError(new Error('the server refused statement_timeout as a startup parameter; relying on its own'));
              const old = pool;
              pool = build();
              void old.end().catch(() => undefined);
              continue;
            }
            throw classifyDbError(err) ?? err;
          }
        }
      } finally {
        end?.();
      }
    },
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.max }),
    statementTimeoutApplied: () => withTimeout,
    close: () => pool.end(),
  };
  return db;
}
