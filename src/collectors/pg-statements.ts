// The run's top statements from two pg_stat_statements snapshots (start and stop): pure.

/** One pg_stat_statements row: key is userid:queryid. */
export interface StatementRow {
  key: string;
  query: string;
  calls: number;
  total_ms: number;
}

/** A statement's share of the run. */
export interface TopStatement {
  /** Normalised text (whitespace collapsed), at most 200 characters. */
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
}

/** Collapses whitespace and truncates to `max` characters (ending with an ellipsis when cut). */
export function normaliseQuery(text: string, max = 200): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

/**
 * Top `limit` statements by total time between two snapshots. A statement absent at start, or whose counters went
 * down (pg_stat_statements_reset, a restart), counts its current totals.
 */
export function topStatements(start: Map<string, StatementRow>, end: Map<string, StatementRow>, limit = 10): TopStatement[] {
  const out: TopStatement[] = [];
  for (const [key, row] of end) {
    const before = start.get(key);
    const reset = !before || row.calls < before.calls || row.total_ms < before.total_ms;
    const calls = reset ? row.calls : row.calls - before.calls;
    const totalMs = reset ? row.total_ms : row.total_ms - before.total_ms;
    if (calls <= 0) continue;
    out.push({ query: normaliseQuery(row.query), calls, totalMs, meanMs: totalMs / calls });
  }
  return out.sort((a, b) => b.totalMs - a.totalMs).slice(0, limit);
}
