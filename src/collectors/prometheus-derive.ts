// From one parsed /metrics exposition to perfgate's server-side samples: gauges summed over label sets (cluster
// workers), counters to per-interval deltas and rates, histograms to per-interval bucket deltas (ms) and their p95.

import type { CollectorSample } from './types.ts';
import type { PromExposition } from './prometheus-parse.ts';
import { CounterTracker, HistogramTracker, type CumulativeBuckets } from './counters.ts';
import { histogramQuantile } from '../metrics/buckets.ts';

/** The exposed names perfgate reads, keyed by the reference target's name; override any to fit your service. */
export const DEFAULT_PROM_NAMES = {
  db_pool_total: 'db_pool_total',
  db_pool_idle: 'db_pool_idle',
  db_pool_max: 'db_pool_max',
  db_pool_waiting: 'db_pool_waiting',
  db_query_duration_seconds: 'db_query_duration_seconds',
  http_request_duration_seconds: 'http_request_duration_seconds',
  nodejs_eventloop_lag_seconds: 'nodejs_eventloop_lag_seconds',
  process_cpu_seconds_total: 'process_cpu_seconds_total',
  process_resident_memory_bytes: 'process_resident_memory_bytes',
  circuit_breaker_state: 'circuit_breaker_state',
  rate_limited_total: 'rate_limited_total',
  cache_hits_total: 'cache_hits_total',
  cache_misses_total: 'cache_misses_total',
} as const;

/** Keys of the name map (the reference target's metric names). */
export type PromNameKey = keyof typeof DEFAULT_PROM_NAMES;

/** The name map in force: every key resolved to the name exposed by the scraped service. */
export type PromNames = Record<PromNameKey, string>;

/** Metrics the prometheus collector can emit (its gap list). */
export const PROMETHEUS_METRICS = [
  'db_pool_utilization',
  'db_pool_connections',
  'db_pool_waiting',
  'db_query_duration',
  'target_http_req_duration',
  'target_event_loop_lag',
  'target_cpu',
  'target_rss',
  'circuit_breaker_state',
  'rate_limited',
  'target_cache_hit_ratio',
] as const;

/**
 * Sum of every series named `name` (all label sets); 0 when the family is declared (TYPE) without series yet
 * (a labelled counter before its first increment); undefined when not exposed at all.
 */
export function sumSeries(exp: PromExposition, name: string): number | undefined {
  let sum: number | undefined = exp.types.has(name) ? 0 : undefined;
  for (const s of exp.samples) if (s.name === name) sum = (sum ?? 0) + s.value;
  return sum;
}

/** Max of every series named `name`; undefined when none is exposed. */
export function maxSeries(exp: PromExposition, name: string): number | undefined {
  let max: number | undefined;
  for (const s of exp.samples) if (s.name === name && !Number.isNaN(s.value)) max = Math.max(max ?? -Infinity, s.value);
  return max;
}

/**
 * Cumulative buckets of histogram `name` summed over its label sets, bounds scaled by `scale`; [] when declared
 * without series yet (no observation so far); undefined when not exposed at all.
 */
export function histogramBuckets(exp: PromExposition, name: string, scale = 1): CumulativeBuckets | undefined {
  const byLe = new Map<number, number>();
  for (const s of exp.samples) {
    if (s.name !== `${name}_bucket` || s.labels.le === undefined) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    if (Number.isNaN(le)) continue;
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  if (byLe.size === 0) return exp.types.has(name) ? [] : undefined;
  return [...byLe.entries()].map(([le, n]): [number, number] => [le === Infinity ? le : le * scale, n]).sort((a, b) => a[0] - b[0]);
}

/** Derives samples from successive expositions; keeps the counter and bucket baselines between calls. */
export class PrometheusDeriver {
  private readonly counters = new CounterTracker();
  private readonly histograms = new HistogramTracker();

  constructor(private readonly names: PromNames = DEFAULT_PROM_NAMES) {}

  /** The samples of one scrape taken at run time tMs. Metrics the service does not expose are skipped. */
  derive(exp: PromExposition, tMs: number): CollectorSample[] {
    const n = this.names;
    const out: CollectorSample[] = [];
    const gauge = (metric: string, value: number | undefined, scale = 1): void => {
      if (value !== undefined) out.push({ source: 'prometheus', metric, value: Number.isFinite(value) ? value * scale : null });
    };
    const total = sumSeries(exp, n.db_pool_total);
    const idle = sumSeries(exp, n.db_pool_idle);
    const max = sumSeries(exp, n.db_pool_max);
    if (total !== undefined && idle !== undefined && max !== undefined) {
      gauge('db_pool_utilization', max > 0 ? Math.min(1, Math.max(0, (total - idle) / max)) : undefined);
    }
    gauge('db_pool_connections', total);
    gauge('db_pool_waiting', sumSeries(exp, n.db_pool_waiting));
    this.histogram(out, 'db_query_duration', histogramBuckets(exp, n.db_query_duration_seconds, 1000));
    this.histogram(out, 'target_http_req_duration', histogramBuckets(exp, n.http_request_duration_seconds, 1000));
    gauge('target_event_loop_lag', maxSeries(exp, n.nodejs_eventloop_lag_seconds), 1000);
    const cpu = sumSeries(exp, n.process_cpu_seconds_total);
    if (cpu !== undefined) {
      const c = this.counters.update('cpu', cpu, tMs);
      if (c && c.ratePerS !== null) out.push({ source: 'prometheus', metric: 'target_cpu', value: c.ratePerS });
    }
    gauge('target_rss', sumSeries(exp, n.process_resident_memory_bytes));
    gauge('circuit_breaker_state', maxSeries(exp, n.circuit_breaker_state));
    const limited = sumSeries(exp, n.rate_limited_total);
    if (limited !== undefined) {
      const c = this.counters.update('rate_limited', limited, tMs);
      if (c) out.push({ source: 'prometheus', metric: 'rate_limited', value: c.delta });
    }
    const hits = sumSeries(exp, n.cache_hits_total);
    const misses = sumSeries(exp, n.cache_misses_total);
    if (hits !== undefined && misses !== undefined) {
      const h = this.counters.update('cache_hits', hits, tMs);
      const m = this.counters.update('cache_misses', misses, tMs);
      if (h && m) {
        const den = h.delta + m.delta;
        out.push({ source: 'prometheus', metric: 'target_cache_hit_ratio', value: den > 0 ? h.delta / den : null, num: h.delta, den });
      }
    }
    return out;
  }

  private histogram(out: CollectorSample[], metric: string, buckets: CumulativeBuckets | undefined): void {
    if (!buckets) return;
    const delta = this.histograms.update(metric, buckets);
    if (!delta) return;
    out.push({
      source: 'prometheus',
      metric,
      value: histogramQuantile(0.95, delta),
      buckets: delta.map(([le, count]) => [le === Infinity ? '+Inf' : round(le), count]),
    });
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
