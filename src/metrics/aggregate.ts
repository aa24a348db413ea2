// Aggregates any metric over a window and tag filters, from a run's records: client metrics from interval records
// (histograms merged, never percentiles averaged), server metrics from samples (see samples.ts). Pure.
//
// Client tags: name, method, journey, scenario, phase on every request metric; expected_response on http_req_duration (okHist or
// failHist) and http_reqs; status and error_code on http_reqs only (latency histograms are not split by status).
// Tick metrics (vus, iterations, iteration_duration, dropped_iterations) take phase only. SQL steps are request
// records with method "SQL": they feed sql_query_* and are left out of http_*.

import type { IntervalRecord, MetricType, RequestIntervalRecord, SampleRecord, TickIntervalRecord, TimeWindow, UnattributedCounts } from '../results/format.ts';
import { metricInfo } from './catalog.ts';
import { BUILTIN_TAGS } from './scenario-tags.ts';
import { mergeEncodedSparse as mergeEncoded, SparseHistogram } from './sparse-histogram.ts';
import { bucketMean, histogramQuantile, mergeBuckets, type NumericBuckets } from './buckets.ts';
import { counterStats, gaugeStats, inWindowMs, percentileOf, selectSamples, windowDurationMs, type GaugeStats, type WindowMs } from './samples.ts';

/** The `scenario` tag of a record without one: the single `load`'s scenario, as k6 names it. */
export const DEFAULT_SCENARIO_TAG = 'default';

/** The method tag of SQL step records. */
export const SQL_METHOD = 'SQL';

/** An aggregation method of k6's threshold syntax. */
export type Aggregation = { kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' } | { kind: 'p'; p: number };

/** Tags each client metric can be filtered by. */
export const CLIENT_TAGS: Record<string, readonly string[]> = {
  http_reqs: ['name', 'method', 'journey', 'scenario', 'phase', 'status', 'error_code', 'expected_response'],
  http_req_duration: ['name', 'method', 'journey', 'scenario', 'phase', 'expected_response'],
  http_req_waiting: ['name', 'method', 'journey', 'scenario', 'phase'],
  http_req_failed: ['name', 'method', 'journey', 'scenario', 'phase'],
  checks: ['name', 'method', 'journey', 'scenario', 'phase', 'check'],
  data_received: ['name', 'method', 'journey', 'scenario', 'phase'],
  data_sent: ['name', 'method', 'journey', 'scenario', 'phase'],
  sql_query_duration: ['name', 'journey', 'scenario', 'phase', 'expected_response'],
  sql_query_failed: ['name', 'journey', 'scenario', 'phase'],
  iterations: ['phase'],
  iteration_duration: ['phase'],
  dropped_iterations: ['phase'],
  vus: ['phase'],
};

/** A metric aggregated over a window: how many observations back it, and any aggregation of it. */
export interface Aggregate {
  type: MetricType;
  /** Observations behind it (requests, checks, samples); 0 means no data. */
  n: number;
  /** Samples skipped as gaps (server metrics). */
  gaps: number;
  /** Set when values are estimates (quantiles from histogram buckets). */
  note?: string;
  /** The value of one aggregation, or null when it cannot be computed. */
  get(agg: Aggregation): number | null;
}

/** The run data aggregation reads. */
export interface AggregateData {
  intervals: readonly IntervalRecord[];
  samples: readonly SampleRecord[];
  phases: readonly TimeWindow[];
}

/** Aggregates a metric (client or server) over a window with tag filters; null for a metric perfgate does not know. */
export function aggregateMetric(data: AggregateData, metric: string, tags: Record<string, string>, window: WindowMs): Aggregate | null {
  const info = metricInfo(metric);
  if (!info) return null;
  if (Object.hasOwn(CLIENT_TAGS, metric)) return aggregateClient(data.intervals, metric, tags, window);
  return aggregateServer(data, metric, info.type, tags, window);
}

/**
 * Whether a record falls in the window and, under a `{phase:X}` filter (the window is then X's stretches), in phase
 * X. A record of the single `load` is in X by its own phase, which the engine gives by the middle of its interval; so
 * the window holds it by its middle too (by its start, an interval straddling X's start, labelled X, would be in
 * neither X nor the phase before). In a run of a `scenarios` map phases belong to the scenarios, so a request record
 * (tagged with its scenario) or a tick (which has no phase there) is in X when the middle of its interval is:
 * `{phase:spike}` takes every scenario's requests while the spike runs.
 */
function inWindow(r: IntervalRecord, w: WindowMs, phase: string | undefined): boolean {
  if (phase === undefined) return inWindowMs(w, r.tMs);
  const inTime = inWindowMs(w, r.tMs + r.intervalMs / 2);
  const byTime = r.type === 'req' ? r.scenario !== undefined : r.phase === undefined;
  return byTime ? inTime : inTime && r.phase === phase;
}

/** Request records matching a window and the record-level tags (name, method, phase). */
export function selectRequests(intervals: readonly IntervalRecord[], metric: string, tags: Record<string, string>, window: WindowMs): RequestIntervalRecord[] {
  const sql = metric.startsWith('sql_');
  return intervals.filter(
    (r): r is RequestIntervalRecord =>
      r.type === 'req' &&
      inWindow(r, window, tags.phase) &&
      (sql ? r.method === SQL_METHOD : r.method !== SQL_METHOD) &&
      (tags.name === undefined || r.name === tags.name) &&
      (tags.journey === undefined || r.journey === tags.journey) &&
      (tags.scenario === undefined || (r.scenario ?? DEFAULT_SCENARIO_TAG) === tags.scenario) &&
      (tags.method === undefined || r.method === tags.method) &&
      customTagsMatch(r, tags),
  );
}

/** Whether a request record carries every custom tag (a scenario's own `tags`) the filter names. */
function customTagsMatch(r: RequestIntervalRecord, tags: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(tags)) if (!BUILTIN_TAGS.includes(k) && r.tags?.[k] !== v) return false;
  return true;
}

/** Aggregates a client metric from interval records. */
export function aggregateClient(intervals: readonly IntervalRecord[], metric: string, tags: Record<string, string>, window: WindowMs): Aggregate {
  const windowMs = windowDurationMs(window);
  switch (metric) {
    case 'http_req_duration':
    case 'sql_query_duration': {
      const reqs = selectRequests(intervals, metric, tags, window);
      const ok = tags.expected_response !== 'false' ? reqs.map((r) => r.okHist) : [];
      const fail = tags.expected_response !== 'true' ? reqs.map((r) => r.failHist) : [];
      return trendAggregate(mergeEncoded([...ok, ...fail]));
    }
    case 'http_req_waiting':
      return trendAggregate(mergeEncoded(selectRequests(intervals, metric, tags, window).map((r) => r.waitingHist ?? '')));
    case 'iteration_duration':
      return trendAggregate(mergeEncoded(selectTicks(intervals, tags, window).map((t) => t.iterationHist)));
    case 'http_req_failed':
    case 'sql_query_failed': {
      const reqs = selectRequests(intervals, metric, tags, window);
      return rateAggregate(sum(reqs, (r) => r.failed), sum(reqs, (r) => r.count));
    }
    case 'checks': {
      const reqs = selectRequests(intervals, metric, tags, window);
      const c = tags.check;
      if (c !== undefined) {
        const passed = sum(reqs, (r) => r.checksByName?.[c]?.[0] ?? 0);
        return rateAggregate(passed, passed + sum(reqs, (r) => r.checksByName?.[c]?.[1] ?? 0));
      }
      const loose = unattributed(intervals, tags, window);
      const passed = sum(reqs, (r) => r.checksPassed) + sum(loose, (u) => u.checksPassed);
      return rateAggregate(passed, passed + sum(reqs, (r) => r.checksFailed) + sum(loose, (u) => u.checksFailed));
    }
    case 'http_reqs': {
      const reqs = selectRequests(intervals, metric, tags, window);
      const count = sum(reqs, (r) => requestCount(r, tags));
      return counterAggregate(count, reqs.length, windowMs);
    }
    case 'data_received':
    case 'data_sent': {
      const reqs = selectRequests(intervals, 'http_reqs', tags, window);
      const loose = unattributed(intervals, tags, window);
      const bytes = sum(reqs, (r) => (metric === 'data_received' ? r.bytesIn : r.bytesOut)) + sum(loose, (u) => (metric === 'data_received' ? u.bytesIn : u.bytesOut));
      return counterAggregate(bytes, reqs.length + loose.length, windowMs);
    }
    case 'iterations':
    case 'dropped_iterations': {
      const ticks = selectTicks(intervals, tags, window);
      return counterAggregate(sum(ticks, (t) => (metric === 'iterations' ? t.iterations : t.droppedIterations)), ticks.length, windowMs);
    }
    case 'vus': {
      const ticks = selectTicks(intervals, tags, window);
      const stats = gaugeStats(ticks.map((t) => ({ tMs: t.tMs, source: 'engine', metric: 'vus', value: t.vus })));
      if (stats) stats.max = Math.max(stats.max, ...ticks.map((t) => t.vusMax));
      return gaugeAggregate(stats, 0);
    }
    default:
      throw new Error(`no client aggregation for ${metric}`);
  }
}

function requestCount(r: RequestIntervalRecord, tags: Record<string, string>): number {
  if (tags.status !== undefined) return r.statuses[tags.status] ?? 0;
  if (tags.error_code !== undefined) return r.errors[tags.error_code as keyof RequestIntervalRecord['errors']] ?? 0;
  if (tags.expected_response === 'true') return r.count - r.failed;
  if (tags.expected_response === 'false') return r.failed;
  return r.count;
}

/** The counters no request name owns (imported runs), when the filter names no request: they belong to no name or method. */
function unattributed(intervals: readonly IntervalRecord[], tags: Record<string, string>, window: WindowMs): UnattributedCounts[] {
  // Bytes and checks no step owns belong to no name, method, journey, scenario or custom tag: only a phase filters them.
  if (Object.keys(tags).some((k) => k !== 'phase')) return [];
  const out: UnattributedCounts[] = [];
  for (const t of selectTicks(intervals, tags, window)) if (t.unattributed) out.push(t.unattributed);
  return out;
}

function selectTicks(intervals: readonly IntervalRecord[], tags: Record<string, string>, window: WindowMs): TickIntervalRecord[] {
  return intervals.filter((r): r is TickIntervalRecord => r.type === 'tick' && inWindow(r, window, tags.phase));
}

function sum<T>(items: readonly T[], f: (t: T) => number): number {
  let s = 0;
  for (const i of items) s += f(i);
  return s;
}

const ms = (us: number | null): number | null => (us === null ? null : us / 1000);

/** A trend aggregate over a merged latency histogram (values in ms, exactly as hdr-histogram-js reads them). */
export function trendAggregate(hist: SparseHistogram = new SparseHistogram()): Aggregate & { hist: SparseHistogram } {
  return {
    type: 'trend',
    get n() {
      return hist.totalCount;
    },
    gaps: 0,
    hist,
    get(agg) {
      if (hist.totalCount === 0) return null;
      switch (agg.kind) {
        case 'avg': return ms(hist.meanUs());
        case 'min': return ms(hist.minUs());
        case 'max': return ms(hist.maxUs());
        case 'med': return ms(hist.percentileUs(50));
        case 'p': return ms(hist.percentileUs(agg.p));
        case 'count': return hist.totalCount;
        default: return null;
      }
    },
  };
}

/** A rate aggregate: passes (non-zero) out of total. */
export function rateAggregate(passes: number, total: number): Aggregate {
  return {
    type: 'rate', n: total, gaps: 0,
    get: (agg) => (total === 0 ? null : agg.kind === 'rate' ? passes / total : agg.kind === 'count' ? passes : null),
  };
}

/** A counter aggregate: count and rate per second of the window; n is the records behind it. */
export function counterAggregate(count: number, records: number, windowMs: number): Aggregate {
  return {
    type: 'counter', n: records, gaps: 0,
    get: (agg) => (records === 0 ? null : agg.kind === 'count' ? count : agg.kind === 'rate' ? (windowMs > 0 ? count / (windowMs / 1000) : null) : null),
  };
}

/** A gauge aggregate over sample statistics. */
export function gaugeAggregate(stats: GaugeStats | null, gaps: number): Aggregate {
  return {
    type: 'gauge', n: stats?.count ?? 0, gaps,
    get(agg) {
      if (!stats) return null;
      switch (agg.kind) {
        case 'value': return stats.value;
        case 'min': return stats.min;
        case 'max': return stats.max;
        case 'avg': return stats.avg;
        case 'med': return stats.med;
        case 'p': return percentileOf(stats.sorted, agg.p);
        default: return null;
      }
    },
  };
}

/** A trend aggregate from merged histogram buckets (server histograms): quantiles interpolated inside buckets. */
export function bucketAggregate(buckets: NumericBuckets, gaps: number): Aggregate {
  const total = buckets.length ? buckets[buckets.length - 1][1] : 0;
  return {
    type: 'trend', n: total, gaps, note: 'estimated from histogram buckets',
    get(agg) {
      if (total === 0) return null;
      switch (agg.kind) {
        case 'avg': return bucketMean(buckets);
        case 'min': return histogramQuantile(0, buckets);
        case 'max': return histogramQuantile(1, buckets);
        case 'med': return histogramQuantile(0.5, buckets);
        case 'p': return histogramQuantile(agg.p / 100, buckets);
        case 'count': return total;
        default: return null;
      }
    },
  };
}

/** Aggregates a server metric from samples: histograms from buckets, counters as summed deltas, gauges over samples. */
export function aggregateServer(data: AggregateData, metric: string, type: MetricType, tags: Record<string, string>, window: WindowMs): Aggregate {
  const sel = selectSamples(data.samples, { metric, labels: tags, window, phases: data.phases });
  if (type === 'trend') {
    const withBuckets = sel.points.filter((p) => p.buckets);
    if (withBuckets.length) return bucketAggregate(mergeBuckets(withBuckets.map((p) => p.buckets ?? [])), sel.gaps);
    return { ...gaugeAggregate(gaugeStats(sel.points), sel.gaps), type: 'trend' };
  }
  if (type === 'counter') {
    const stats = counterStats(sel.points, windowDurationMs(window));
    return {
      type: 'counter', n: sel.points.length, gaps: sel.gaps,
      get: (agg) => (!stats ? null : agg.kind === 'count' ? stats.count : agg.kind === 'rate' ? stats.rate : null),
    };
  }
  if (type === 'rate') {
    const stats = gaugeStats(sel.points);
    return { type: 'rate', n: sel.points.length, gaps: sel.gaps, get: (agg) => (stats && agg.kind === 'rate' ? stats.avg : null) };
  }
  return gaugeAggregate(gaugeStats(sel.points), sel.gaps);
}
