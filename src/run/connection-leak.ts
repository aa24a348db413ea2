// The db-network drill's leak gate: after the database faults, every server connection must again be one the
// service's pool holds, or a connection the service lost track of is still held by PostgreSQL. Pure.
//
//   unaccounted(t) = pg_connections(t), every state summed - db_pool_connections(t), the pool's open connections
//   baseline = the most unaccounted before the first db- fault (other clients, the collector's own, a read's skew)
//   settled  = the fewest unaccounted in the run's last phase, after the last fault
//   db_connections_leaked = max(0, settled - baseline)
//
// Server connections less the pool's, because a pool may end the drill larger than it began (a reset makes it open
// connections again under load, and its idle timeout outlasts the drill); the fewest, because the two are read a
// moment apart, while a leaked connection is unaccounted at every sample to the end (PostgreSQL keeps a backend
// whose client vanished until TCP gives up on it). Without the pool's figure (a service that does not expose it),
// the server's connections alone are used, and the label `basis` says so.

import type { SampleRecord, TimeWindow } from '../results/format.ts';

/** One sampling tick's connections: the server's, every state summed, and the pool's when known. */
export interface ConnectionTotal {
  tMs: number;
  total: number;
  pool?: number;
}

/** The pool's figure is matched to a server reading at most this far apart (one default sampling interval). */
const MATCH_MS = 1000;

/** Server connections per tick (pg_connections summed over states), each with the nearest db_pool_connections. */
export function connectionTotals(samples: Iterable<SampleRecord>): ConnectionTotal[] {
  const byTick = new Map<number, number>();
  const pool: Array<{ tMs: number; value: number }> = [];
  for (const s of samples) {
    if (typeof s.value !== 'number') continue;
    if (s.metric === 'pg_connections') byTick.set(s.tMs, (byTick.get(s.tMs) ?? 0) + s.value);
    else if (s.metric === 'db_pool_connections') pool.push({ tMs: s.tMs, value: s.value });
  }
  pool.sort((a, b) => a.tMs - b.tMs);
  // Both in time order: one pointer walks the pool's readings to the nearest of each tick.
  let j = 0;
  return [...byTick].sort((a, b) => a[0] - b[0]).map(([tMs, total]) => {
    while (j + 1 < pool.length && Math.abs(pool[j + 1]!.tMs - tMs) < Math.abs(pool[j]!.tMs - tMs)) j++;
    const near = pool[j];
    return near && Math.abs(near.tMs - tMs) <= MATCH_MS ? { tMs, total, pool: near.value } : { tMs, total };
  });
}

/**
 * `db_connections_leaked` of a run with database faults, or nothing: without a db- fault, or without samples both
 * before the first one and in the last phase after the last one.
 */
export function connectionsLeaked(faults: readonly TimeWindow[], phases: readonly TimeWindow[], totals: readonly ConnectionTotal[]): SampleRecord[] {
  const db = faults.filter((f) => f.name.startsWith('db-'));
  const last = phases.at(-1);
  if (db.length === 0 || !last) return [];
  const firstFaultMs = Math.min(...db.map((f) => f.startMs));
  const lastFaultEndMs = Math.max(...db.map((f) => f.endMs));
  // With the pool's figure, only the ticks that have one (a missed scrape leaves a tick out, not the method).
  const withPool = totals.some((t) => t.pool !== undefined);
  const usable = withPool ? totals.filter((t) => t.pool !== undefined) : totals;
  const unaccounted = (t: ConnectionTotal) => t.total - (t.pool ?? 0);
  const before = usable.filter((t) => t.tMs < firstFaultMs).map(unaccounted);
  const settled = usable.filter((t) => t.tMs >= Math.max(last.startMs, lastFaultEndMs) && t.tMs <= last.endMs).map(unaccounted);
  if (before.length === 0 || settled.length === 0) return [];
  const baseline = Math.max(...before);
  const low = Math.min(...settled);
  return [{
    tMs: last.endMs, source: 'drill', metric: 'db_connections_leaked', value: Math.max(0, low - baseline),
    labels: { baseline: String(baseline), settled: String(low), phase: last.name, basis: withPool ? 'server-minus-pool' : 'server' },
  }];
}
