// The postgres collector: one small dedicated connection (not a pool; application_name perfgate-collector, short
// statement_timeout) reading pg_stat_activity, max_connections and pg_stat_database each tick, and
// pg_stat_statements at start and stop for the run's top statements.

import pg from 'pg';
import type { Collector, CollectorSample } from './types.ts';
import { CounterTracker } from './counters.ts';
import { redactText, redactUrl, urlSecrets } from '../redact.ts';
import { pgClientConfig, type PinnedPg } from '../engine/host-guard.ts';
import { topStatements, type StatementRow } from './pg-statements.ts';

/** Options of the postgres collector. */
export interface PostgresCollectorOptions {
  url: string;
  /** The connection as the host guard cleared it (pinned to the checked address); otherwise `url` as written. */
  pinned?: PinnedPg;
  /** statement_timeout of the collector's queries, ms; 500 by default. */
  statementTimeoutMs?: number;
  /** How many statements pg_top_statement lists; 10 by default. */
  topStatements?: number;
}

/** Marks the collector's own statements so they stay out of pg_top_statement. */
const MARK = '/* perfgate-collector */';

const TICK_SQL = `${MARK} SELECT
  current_setting('max_connections')::int AS max_connections,
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS client_backends,
  (SELECT coalesce(json_agg(s), '[]'::json) FROM (
     SELECT coalesce(state, 'unknown') AS state, count(*)::int AS n,
            (count(*) FILTER (WHERE wait_event_type = 'Lock'))::int AS lock_waiting
     FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1) s) AS activity,
  d.xact_commit::float8 AS xact_commit, d.xact_rollback::float8 AS xact_rollback, d.blks_hit::float8 AS blks_hit,
  d.blks_read::float8 AS blks_read, d.deadlocks::float8 AS deadlocks, d.temp_files::float8 AS temp_files
FROM pg_stat_database d WHERE d.datname = current_database()`;

/** One reading of the tick query. */
export interface PgTickRow {
  max_connections: number;
  client_backends: number;
  activity: Array<{ state: string; n: number; lock_waiting: number }>;
  xact_commit: number;
  xact_rollback: number;
  blks_hit: number;
  blks_read: number;
  deadlocks: number;
  temp_files: number;
}

/** States always reported (0 when absent), so a chart never has holes. */
const STATES = ['active', 'idle', 'idle in transaction'];

/** Derives samples from successive tick rows; keeps the counter baselines between calls. */
export class PostgresDeriver {
  private readonly counters = new CounterTracker();

  /** The samples of one tick row read at run time tMs. */
  derive(row: PgTickRow, tMs: number): CollectorSample[] {
    const src = 'postgres';
    const out: CollectorSample[] = [];
    const byState = new Map<string, number>(STATES.map((s) => [s, 0]));
    let lockWaiting = 0;
    for (const a of row.activity) {
      byState.set(a.state, (byState.get(a.state) ?? 0) + a.n);
      lockWaiting += a.lock_waiting;
    }
    for (const [state, n] of byState) out.push({ source: src, metric: 'pg_connections', value: n, labels: { state } });
    out.push({ source: src, metric: 'pg_lock_waiting', value: lockWaiting });
    if (row.max_connections > 0) {
      out.push({ source: src, metric: 'pg_connection_utilization', value: row.client_backends / row.max_connections });
    }
    const commits = this.counters.update('commits', row.xact_commit, tMs);
    if (commits?.ratePerS != null) out.push({ source: src, metric: 'pg_commits', value: commits.ratePerS });
    const rollbacks = this.counters.update('rollbacks', row.xact_rollback, tMs);
    if (rollbacks?.ratePerS != null) out.push({ source: src, metric: 'pg_rollbacks', value: rollbacks.ratePerS });
    const hit = this.counters.update('blks_hit', row.blks_hit, tMs);
    const read = this.counters.update('blks_read', row.blks_read, tMs);
    if (hit && read) {
      const den = hit.delta + read.delta;
      out.push({ source: src, metric: 'pg_cache_hit_ratio', value: den > 0 ? hit.delta / den : null, num: hit.delta, den });
    }
    const deadlocks = this.counters.update('deadlocks', row.deadlocks, tMs);
    if (deadlocks) out.push({ source: src, metric: 'pg_deadlocks', value: deadlocks.delta });
    const temp = this.counters.update('temp_files', row.temp_files, tMs);
    if (temp) out.push({ source: src, metric: 'pg_temp_files', value: temp.delta });
    return out;
  }
}

/** Creates a collector reading the PostgreSQL at `url` once per tick. */
export function createPostgresCollector(opts: PostgresCollectorOptions): Collector {
  return new PostgresCollector(opts);
}

/** The PostgreSQL collector: one connection (reopened after a failure), a tick query, pg_stat_statements at start and stop. */
class PostgresCollector implements Collector {
  readonly name = 'postgres';
  readonly metrics = ['pg_connections', 'pg_lock_waiting', 'pg_connection_utilization', 'pg_commits', 'pg_rollbacks', 'pg_cache_hit_ratio', 'pg_deadlocks', 'pg_temp_files'];
  readonly finishMetrics = ['pg_top_statement'];
  private readonly secrets: string[];
  private readonly where: string;
  private readonly statementTimeoutMs: number;
  private readonly deriver = new PostgresDeriver();
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private statements: 'unknown' | 'absent' | 'present' = 'unknown';
  private baseline: Map<string, StatementRow> | undefined;

  constructor(private readonly opts: PostgresCollectorOptions) {
    this.secrets = urlSecrets(opts.url);
    this.where = redactUrl(opts.url);
    this.statementTimeoutMs = opts.statementTimeoutMs ?? 500;
  }

  async sample(signal: AbortSignal, tMs: number): Promise<CollectorSample[]> {
    return this.withClient(signal, async (c) => {
      if (this.baseline === undefined && this.statements !== 'absent') this.baseline = (await this.readStatements(c)) ?? new Map();
      const r = await c.query<PgTickRow>(TICK_SQL);
      if (r.rows.length !== 1) throw new Error('current database not found in pg_stat_database');
      return this.deriver.derive(r.rows[0], tMs);
    }, true);
  }

  async finish(signal: AbortSignal): Promise<CollectorSample[]> {
    const baseline = this.baseline;
    if (this.statements === 'absent' || baseline === undefined) return [];
    return this.withClient(signal, async (c) => {
      const now = (await this.readStatements(c)) ?? new Map();
      return topStatements(baseline, now, this.opts.topStatements ?? 10).map((t) => ({
        source: 'postgres',
        metric: 'pg_top_statement',
        value: t.totalMs,
        labels: { query: t.query, calls: String(t.calls), mean_ms: t.meanMs.toFixed(3), total_ms: t.totalMs.toFixed(3) },
      }));
    }, false);
  }

  async close(): Promise<void> {
    const c = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  /** Runs `work` on the connection; an abort drops it, and so does a failure that is not an SQL error (when asked). */
  private async withClient(signal: AbortSignal, work: (c: pg.Client) => Promise<CollectorSample[]>, dropSuspect: boolean): Promise<CollectorSample[]> {
    let c: pg.Client | undefined;
    const onAbort = (): void => this.drop(c);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      c = await this.connect();
      return await work(c);
    } catch (err) {
      if (dropSuspect && !(err as { code?: string }).code?.match(/^[0-9A-Z]{5}$/)) this.drop(c); // not an SQL error: the connection is suspect
      throw new Error(`postgres ${this.where}: ${redactText((err as Error)?.message ?? String(err), this.secrets)}`);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private drop(c: pg.Client | undefined): void {
    if (c && this.client === c) this.client = undefined;
    c?.end().catch(() => undefined);
  }

  /** The connection, opened once; a server restart or a killed backend drops it and the next tick reconnects. */
  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const c = new pg.Client({
        ...(this.opts.pinned ? pgClientConfig(this.opts.pinned) : { connectionString: this.opts.url }),
        application_name: 'perfgate-collector',
        statement_timeout: this.statementTimeoutMs,
        query_timeout: this.statementTimeoutMs + 250,
        connectionTimeoutMillis: 1000,
      });
      // Never an unhandled 'error' event.
      c.on('error', () => this.drop(c));
      c.on('end', () => this.drop(c));
      try {
        await c.connect();
      } catch (err) {
        c.end().catch(() => undefined);
        throw err;
      }
      this.client = c;
      return c;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** pg_stat_statements of this database (the collector's own statements left out); undefined without the extension. */
  private async readStatements(c: pg.Client): Promise<Map<string, StatementRow> | undefined> {
    if (this.statements === 'unknown') {
      const r = await c.query(`${MARK} SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`);
      this.statements = r.rowCount ? 'present' : 'absent';
    }
    if (this.statements === 'absent') return undefined;
    const r = await c.query<StatementRow>(
      `${MARK} SELECT s.userid::text || ':' || s.queryid::text AS key, s.query, s.calls::float8 AS calls,
         s.total_exec_time AS total_ms
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
       WHERE d.datname = current_database() AND s.query NOT LIKE '/* perfgate-collector */%'`,
    );
    return new Map(r.rows.map((row) => [row.key, row]));
  }
}
