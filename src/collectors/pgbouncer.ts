// The pgbouncer collector: SHOW POOLS and SHOW STATS on the admin console. The console speaks only the simple
// query protocol: pg uses it for a query with no parameters, no name and no row limit, which is all we send.

import pg from 'pg';
import type { Collector, CollectorSample } from './types.ts';
import { CounterTracker } from './counters.ts';
import { redactText, redactUrl, urlSecrets } from './redact.ts';

/** Options of the pgbouncer collector. */
export interface PgBouncerCollectorOptions {
  /** Admin console URL: postgres://user:password@host:port/pgbouncer. */
  url: string;
  /** Client-side query timeout, ms; 500 by default. */
  queryTimeoutMs?: number;
}

/** One SHOW POOLS row (the columns perfgate reads). */
export interface PoolRow {
  database: string;
  user: string;
  cl_active: string | number;
  cl_waiting: string | number;
  sv_active: string | number;
  sv_idle: string | number;
  maxwait: string | number;
  maxwait_us?: string | number;
}

/** One SHOW STATS row (the columns perfgate reads; times in microseconds). */
export interface StatsRow {
  database: string;
  total_xact_count: string | number;
  total_wait_time: string | number;
}

const GAUGES = ['cl_active', 'cl_waiting', 'sv_active', 'sv_idle'] as const;

/** Derives samples from SHOW POOLS and SHOW STATS; keeps the wait-time baselines between calls. */
export class PgBouncerDeriver {
  private readonly counters = new CounterTracker();

  /**
   * Per pool (labels database and user) and in total (no labels): the four gauges, maxwait (ms, the max over
   * pools), and avg_wait (ms per transaction over the interval, from SHOW STATS; per database and in total).
   */
  derive(pools: PoolRow[], stats: StatsRow[], tMs: number): CollectorSample[] {
    const src = 'pgbouncer';
    const out: CollectorSample[] = [];
    const total = { cl_active: 0, cl_waiting: 0, sv_active: 0, sv_idle: 0, maxwait: 0 };
    for (const p of pools) {
      if (p.database === 'pgbouncer') continue; // the admin console itself
      const labels = { database: p.database, user: p.user };
      for (const g of GAUGES) {
        const v = Number(p[g]);
        total[g] += v;
        out.push({ source: src, metric: `pgbouncer_${g}`, value: v, labels });
      }
      const waitMs = Number(p.maxwait) * 1000 + Number(p.maxwait_us ?? 0) / 1000;
      total.maxwait = Math.max(total.maxwait, waitMs);
      out.push({ source: src, metric: 'pgbouncer_maxwait', value: waitMs, labels });
    }
    for (const g of GAUGES) out.push({ source: src, metric: `pgbouncer_${g}`, value: total[g] });
    out.push({ source: src, metric: 'pgbouncer_maxwait', value: total.maxwait });
    let xacts = 0;
    let waitUs = 0;
    let complete = true;
    for (const s of stats) {
      if (s.database === 'pgbouncer') continue;
      const x = this.counters.update(`xact:${s.database}`, Number(s.total_xact_count), tMs);
      const w = this.counters.update(`wait:${s.database}`, Number(s.total_wait_time), tMs);
      if (!x || !w) {
        complete = false;
        continue;
      }
      xacts += x.delta;
      waitUs += w.delta;
      out.push({ source: src, metric: 'pgbouncer_avg_wait', value: x.delta > 0 ? w.delta / x.delta / 1000 : 0, labels: { database: s.database } });
    }
    if (complete && stats.length > 0) out.push({ source: src, metric: 'pgbouncer_avg_wait', value: xacts > 0 ? waitUs / xacts / 1000 : 0 });
    return out;
  }
}

/** Creates a collector reading the PgBouncer admin console at `url` once per tick. */
export function createPgBouncerCollector(opts: PgBouncerCollectorOptions): Collector {
  const secrets = urlSecrets(opts.url);
  const where = redactUrl(opts.url);
  const deriver = new PgBouncerDeriver();
  let client: pg.Client | undefined;
  const drop = (c: pg.Client | undefined): void => {
    if (c && client === c) client = undefined;
    c?.end().catch(() => undefined);
  };
  return {
    name: 'pgbouncer',
    metrics: ['pgbouncer_cl_active', 'pgbouncer_cl_waiting', 'pgbouncer_sv_active', 'pgbouncer_sv_idle', 'pgbouncer_maxwait', 'pgbouncer_avg_wait'],
    async sample(signal: AbortSignal, tMs: number): Promise<CollectorSample[]> {
      let c = client;
      const onAbort = (): void => drop(c);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        if (!c) {
          // No statement_timeout or other startup parameters: the console refuses those it does not know.
          c = new pg.Client({ connectionString: opts.url, query_timeout: opts.queryTimeoutMs ?? 500, connectionTimeoutMillis: 1000 });
          const mine = c;
          mine.on('error', () => drop(mine));
          await mine.connect().catch((err: unknown) => {
            drop(mine);
            throw err;
          });
          client = mine;
        }
        // Plain text, no parameters: pg sends these with the simple query protocol.
        const pools = await c.query<PoolRow>('SHOW POOLS');
        const stats = await c.query<StatsRow>('SHOW STATS');
        return deriver.derive(pools.rows, stats.rows, tMs);
      } catch (err) {
        drop(c);
        throw new Error(`pgbouncer ${where}: ${redactText((err as Error)?.message ?? String(err), secrets)}`);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close(): Promise<void> {
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
