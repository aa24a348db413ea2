// Server-side chart rows from collector samples: gauges as time series (bucketed like the client series), ratio
// metrics from summed numerators and denominators, histogram metrics as a p95 from merged bucket deltas.
// Pure: samples in, rows out.

import { histogramQuantile, mergeBuckets } from '../metrics/buckets.ts';
import type { SampleRecord } from '../results/format.ts';

/** One point of a server series; `series` tells lines apart within one chart (a label value or a metric). */
export interface ServerRow {
  tMs: number;
  series: string;
  value: number;
}

/** The server series the report draws, each empty when its collector produced nothing. */
export interface ServerSeries {
  poolUtilization: ServerRow[];
  poolWaiting: ServerRow[];
  queryP95: ServerRow[];
  pgConnections: ServerRow[];
  cacheHitRatio: ServerRow[];
  redisMemory: ServerRow[];
  hostCpu: ServerRow[];
  /** The service's share of the machine's CPU, without the load generator. */
  serviceCpu: ServerRow[];
  generatorCpu: ServerRow[];
  generatorLoopLag: ServerRow[];
  topStatements: TopStatement[];
}

/** A database statement from pg_stat_statements, as the postgres collector reports it (metric pg_top_statement). */
export interface TopStatement {
  query: string;
  totalMs: number;
  calls?: number;
  meanMs?: number;
}

interface Acc {
  sum: number;
  n: number;
  num: number;
  den: number;
  buckets?: Array<NonNullable<SampleRecord['buckets']>>;
}

/** Groups samples of one metric into time buckets and series, reducing each group to one value. */
function reduce(samples: SampleRecord[], bucketMs: number, seriesOf: (s: SampleRecord) => string, mode: 'mean' | 'ratio' | 'p95'): ServerRow[] {
  const groups = new Map<string, Acc>();
  for (const s of samples) {
    const tMs = Math.floor(s.tMs / bucketMs) * bucketMs;
    const key = `${tMs}\u0000${seriesOf(s)}`;
    let a = groups.get(key);
    if (!a) groups.set(key, (a = { sum: 0, n: 0, num: 0, den: 0 }));
    if (mode === 'p95' && s.buckets) {
      (a.buckets ??= []).push(s.buckets);
    } else if (mode === 'ratio' && typeof s.num === 'number' && typeof s.den === 'number') {
      a.num += s.num;
      a.den += s.den;
    } else if (typeof s.value === 'number' && Number.isFinite(s.value)) {
      a.sum += s.value;
      a.n++;
    }
  }
  const rows: ServerRow[] = [];
  for (const [key, a] of groups) {
    const [t, series] = key.split('\u0000');
    let value: number | null = null;
    if (a.buckets) value = histogramQuantile(0.95, mergeBuckets(a.buckets));
    else if (a.den > 0) value = a.num / a.den;
    else if (a.n > 0) value = a.sum / a.n;
    if (value !== null && Number.isFinite(value)) rows.push({ tMs: Number(t), series, value });
  }
  return rows.sort((x, y) => x.tMs - y.tMs || x.series.localeCompare(y.series));
}

/** Builds every server series from the samples, in time buckets of bucketMs. */
export function serverSeries(samples: SampleRecord[], bucketMs: number): ServerSeries {
  // samples -> by metric (gaps with value null and no buckets dropped) -> bucketed rows per chart
  const by = new Map<string, SampleRecord[]>();
  for (const s of samples) {
    if (s.value === null && !s.buckets && s.den === undefined) continue;
    let list = by.get(s.metric);
    if (!list) by.set(s.metric, (list = []));
    list.push(s);
  }
  const get = (m: string): SampleRecord[] => by.get(m) ?? [];
  const named = (name: string) => () => name;
  const queryDuration = get('db_query_duration').filter((s) => s.buckets || !s.labels?.quantile || s.labels.quantile === '0.95');
  return {
    poolUtilization: reduce(get('db_pool_utilization'), bucketMs, named('pool utilisation'), 'mean'),
    poolWaiting: reduce(get('db_pool_waiting'), bucketMs, named('waiting clients'), 'mean'),
    queryP95: reduce(queryDuration, bucketMs, named('query p95'), 'p95'),
    pgConnections: reduce(get('pg_connections'), bucketMs, (s) => s.labels?.state ?? 'all', 'mean'),
    cacheHitRatio: reduce(get('cache_hit_ratio'), bucketMs, named('cache hit ratio'), 'ratio'),
    redisMemory: reduce(get('redis_memory_utilization'), bucketMs, named('Redis memory'), 'mean'),
    hostCpu: reduce(get('host_cpu_utilization'), bucketMs, named('host CPU'), 'mean'),
    serviceCpu: reduce(get('service_cpu_utilization'), bucketMs, named('service CPU'), 'mean'),
    generatorCpu: reduce(get('generator_cpu'), bucketMs, named('generator CPU'), 'mean'),
    generatorLoopLag: reduce(get('generator_event_loop_lag'), bucketMs, named('generator loop lag'), 'mean'),
    topStatements: topStatements(get('pg_top_statement')),
  };
}

/** The top statements by total time: the last reading per query wins (the collector reports run totals). */
export function topStatements(samples: SampleRecord[], limit = 10): TopStatement[] {
  const byQuery = new Map<string, TopStatement>();
  for (const s of samples) {
    const query = s.labels?.query ?? s.labels?.statement;
    if (!query || typeof s.value !== 'number') continue;
    const t: TopStatement = { query, totalMs: Number(s.labels?.total_ms ?? s.value) };
    const calls = Number(s.labels?.calls);
    if (Number.isFinite(calls) && s.labels?.calls !== undefined) t.calls = calls;
    const mean = Number(s.labels?.mean_ms);
    if (Number.isFinite(mean) && s.labels?.mean_ms !== undefined) t.meanMs = mean;
    else if (t.calls) t.meanMs = t.totalMs / t.calls;
    byQuery.set(query, t);
  }
  return [...byQuery.values()].filter((t) => Number.isFinite(t.totalMs)).sort((a, b) => b.totalMs - a.totalMs).slice(0, limit);
}
