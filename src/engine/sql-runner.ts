// The `sql` step runner: one PostgreSQL connection per VU and named connection (pg), opened on first use.
// Latency, failures and error classes land in the same interval records as HTTP steps (method `SQL`).

import pg from 'pg';
import { performance } from 'node:perf_hooks';
import type { ErrorClass } from '../results/format.ts';
import type { CompiledSqlStep } from './plan.ts';
import type { StepContext, StepRunner, Vu } from './vu.ts';
import { classifyError } from './error-class.ts';
import { pgClientConfig, type PinnedPg } from './host-guard.ts';

/** Maps a pg error to an error class: socket errors by code, a server refusal (SQLSTATE) as `other`. */
export function classifySqlError(err: { code?: string; message?: string }): ErrorClass {
  const code = err.code ?? '';
  if (/^[0-9A-Z]{5}$/.test(code)) return code === '57014' ? 'timeout' : 'other';
  if (/timeout/i.test(err.message ?? '') && !code) return 'timeout';
  return classifyError(err);
}

/** Runs sql steps; `connections` maps a connection name to its URL, pinned by the host guard to the address it checked. */
export class SqlRunner implements StepRunner {
  private readonly clients = new Map<Vu, Map<string, pg.Client>>();

  constructor(private readonly connections: Record<string, { url: string; pinned?: PinnedPg }>) {}

  run(vu: Vu, compiled: CompiledSqlStep, ctx: StepContext, done: () => void): void {
    if (ctx.signal.aborted) return;
    const step = compiled.step;
    const stats = vu.stats(compiled);
    const sentAtMs = performance.now();
    const startMs = ctx.scheduledAtMs !== undefined && ctx.scheduledAtMs < sentAtMs ? ctx.scheduledAtMs : sentAtMs;
    let client: pg.Client | undefined;
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      return true;
    };
    // The VU stopped (end of gracefulRampDown or gracefulStop): the query is abandoned, as an HTTP request is, and
    // nothing is recorded; the VU's connections are closed by release().
    const onAbort = () => void settle();
    const finish = (err: { code?: string; message?: string } | undefined, endAtMs = performance.now()) => {
      if (!settle()) return;
      const cls = err ? classifySqlError(err) : undefined;
      stats.request((endAtMs - startMs) * 1000, !err, 0, cls, 0, 0, step.sql.length);
      if (err && client) this.drop(vu, step.connection, client);
      done(); // the VU applies think time
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish({ code: 'PERFGATE_TIMEOUT', message: 'sql step timed out' }, startMs + compiled.timeoutMs), Math.max(0, startMs + compiled.timeoutMs - performance.now()));
    this.client(vu, step.connection).then(
      (c) => {
        if (settled) return;
        client = c;
        c.query(step.sql, step.params).then(() => finish(undefined), (e: Error & { code?: string }) => finish(e));
      },
      (e: Error & { code?: string }) => finish(e),
    );
  }

  private async client(vu: Vu, name: string): Promise<pg.Client> {
    let byName = this.clients.get(vu);
    if (!byName) this.clients.set(vu, (byName = new Map()));
    const known = byName.get(name);
    if (known) return known;
    const conn = this.connections[name];
    if (!conn) throw Object.assign(new Error(`unknown connection "${name}"`), { code: 'PERFGATE_CONFIG' });
    const c = new pg.Client(conn.pinned ? pgClientConfig(conn.pinned) : { connectionString: conn.url });
    c.on('error', () => this.drop(vu, name, c));
    byName.set(name, c);
    try {
      await c.connect();
    } catch (e) {
      if (byName.get(name) === c) byName.delete(name);
      throw e;
    }
    return c;
  }

  /** Closes one client of a VU (after an error), unless the VU has another by now. */
  private drop(vu: Vu, name: string, c: pg.Client): void {
    const byName = this.clients.get(vu);
    if (byName?.get(name) === c) byName.delete(name);
    c.end().catch(() => {});
  }

  /** Closes a VU's connections. */
  release(vu: Vu): void {
    const byName = this.clients.get(vu);
    if (!byName) return;
    this.clients.delete(vu);
    for (const c of byName.values()) c.end().catch(() => {});
  }
}
