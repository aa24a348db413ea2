// The pgbouncer collector: SHOW POOLS and SHOW STATS on the admin console. The console speaks only the simple
// query protocol: pg uses it for a query with no parameters, no name and no row limit, which is all we send.

import pg from 'pg';
import type { Collector, CollectorSample } from './types.ts';
import { redactText, redactUrl, urlSecrets } from '../redact.ts';
import { pgClientConfig, type PinnedPg } from '../engine/host-guard.ts';

/** Options of the pgbouncer collector. */
export interface PgBouncerCollectorOptions {
  /** Admin console URL: postgres://user:password@host:port/pgbouncer. */
  url: string;
  /** The connection as the host guard cleared it (pinned to the checked address); otherwise `url` as written. */
  pinned?: PinnedPg;
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

/** One SHOW STATS row (the columns perfgate reads; times in microseconds, averages over PgBouncer's stats_period). */
export interface StatsRow {
  database: string;
  avg_xact_count: string | number;
  avg_wait_time: string | number;
}

const GAUGES = ['cl_active', 'cl_waiting', 'sv_active', 'sv_idle'] as const;

/** Derives samples from SHOW POOLS and SHOW STATS. */
export class PgBouncerDeriver {
  /**
   * Per pool (labels database and user) and in total (no labels): the four gauges, maxwait (ms, the max over
   * pools), and avg_wait (ms, PgBouncer's average over its stats_period; per database, and weighted in total).
   */
  derive(pools: PoolRow[], stats: StatsRow[]): CollectorSample[] {
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
    // avg_wait_time is PgBouncer's own average over its stats_period (microseconds): totals are not usable per
    // interval, since total_wait_time grows while clients wait but the transaction count moves at other moments.
    let weight = 0;
    let weighted = 0;
    let maxAvg = 0;
    let seen = false;
    for (const s of stats) {
      if (s.database === 'pgbouncer') continue;
      const avgMs = Number(s.avg_wait_time) / 1000;
      const xacts = Number(s.avg_xact_count);
      if (!Number.isFinite(avgMs)) continue;
      seen = true;
      out.push({ source: src, metric: 'pgbouncer_avg_wait', value: avgMs, labels: { database: s.database } });
      maxAvg = Math.max(maxAvg, avgMs);
      if (xacts > 0) {
        weight += xacts;
        weighted += avgMs * xacts;
      }
    }
    if (seen) out.push({ source: src, metric: 'pgbouncer_avg_wait', value: weight > 0 ? weighted / weight : maxAvg });
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
    async sample(signal: AbortSignal): Promise<CollectorSample[]> {
      let c = client;
      const onAbort = (): void => drop(c);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        if (!c) {
          // No statement_timeout or other startup parameters: the console refuses those it does not know.
          c = new pg.Client({ ...(opts.pinned ? pgClientConfig(opts.pinned) : { connectionString: opts.url }), query_timeout: opts.queryTimeoutMs ?? 500, connectionTimeoutMillis: 1000 });
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
        return deriver.derive(pools.rows, stats.rows);
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
