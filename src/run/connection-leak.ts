// The db-network drill's leak gate: after the database faults, the server's connections must come back to what they
// were before them, or a connection the service lost track of is still held by PostgreSQL. Pure.
//
//   baseline = the most server connections (pg_connections, every state summed) seen before the first db- fault
//   settled  = the fewest seen in the run's last phase
//   db_connections_leaked = max(0, settled - baseline)
//
// The fewest, not the most: a pool that grew under a fault shrinks by its idle timeout, but a leaked connection is
// there at every sample to the end (PostgreSQL keeps a backend whose client vanished until TCP gives up on it).

import type { SampleRecord, TimeWindow } from '../results/format.ts';

/** One sampling tick's server connections, every state summed. */
export interface ConnectionTotal {
  tMs: number;
  total: number;
}

/** Sums pg_connections samples per tick (the collector writes one per state, at one time). */
export function connectionTotals(samples: Iterable<SampleRecord>): ConnectionTotal[] {
  const byTick = new Map<number, number>();
  for (const s of samples) {
    if (s.metric === 'pg_connections' && typeof s.value === 'number') byTick.set(s.tMs, (byTick.get(s.tMs) ?? 0) + s.value);
  }
  return [...byTick].sort((a, b) => a[0] - b[0]).map(([tMs, total]) => ({ tMs, total }));
}

/**
 * `db_connections_leaked` of a run with database faults, or nothing: without a db- fault, or without samples both
 * before the first one and in the last phase.
 */
export function connectionsLeaked(faults: readonly TimeWindow[], phases: readonly TimeWindow[], totals: readonly ConnectionTotal[]): SampleRecord[] {
  const db = faults.filter((f) => f.name.startsWith('db-'));
  const last = phases.at(-1);
  if (db.length === 0 || !last) return [];
  const firstFaultMs = Math.min(...db.map((f) => f.startMs));
  const lastFaultEndMs = Math.max(...db.map((f) => f.endMs));
  const before = totals.filter((t) => t.tMs < firstFaultMs).map((t) => t.total);
  const settled = totals.filter((t) => t.tMs >= Math.max(last.startMs, lastFaultEndMs) && t.tMs <= last.endMs).map((t) => t.total);
  if (before.length === 0 || settled.length === 0) return [];
  const baseline = Math.max(...before);
  const low = Math.min(...settled);
  return [{ tMs: last.endMs, source: 'drill', metric: 'db_connections_leaked', value: Math.max(0, low - baseline), labels: { baseline: String(baseline), settled: String(low), phase: last.name } }];
}
