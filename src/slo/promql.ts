// perfgate's metrics as PromQL over the series the target, the harness and the usual exporters expose: for each
// metric a threshold or alert rule may use, the expression of an aggregation over a window (`p(99)` over 10 s is a
// histogram_quantile of the target's buckets), and the number of observations in it. Pure: strings out.

import { ConfigError } from '../errors.ts';
import type { Aggregation } from '../metrics/aggregate.ts';

/** The target's HTTP histogram (seconds), labelled route, method and status. */
export const HTTP_HISTOGRAM = 'http_request_duration_seconds';
/** The target's database query histogram (seconds), labelled query. */
export const DB_HISTOGRAM = 'db_query_duration_seconds';
/** The statuses the target-side error ratio counts as failed. */
export const FAILED_STATUS = '5..';

/** How one perfgate metric reads in PromQL. */
export interface PromSource {
  /** The aggregation over the range `w` ("10s"), in the metric's threshold unit (ms stay ms). */
  over(agg: Aggregation, w: string, sel: string): string;
  /** The number of observations in the range, for a rule's minimum sample count. */
  count(w: string, sel: string): string;
  /** perfgate tag -> label on the series (tags not listed here cannot be exported). */
  labels: Record<string, string>;
}

/** The quantile (0..1) of a percentile or median aggregation, or undefined. */
const quantileOf = (agg: Aggregation): number | undefined => (agg.kind === 'p' ? agg.p / 100 : agg.kind === 'med' ? 0.5 : undefined);

/** A selector body from label matchers: `status=~"5..",method="GET"`. */
function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join(',');
}

/** A series with its matchers: `name{a="b"}`, or the bare name without any. */
export const m = (name: string, sel: string): string => (sel ? `${name}{${sel}}` : name);

/** The quantile of a histogram's buckets over the range, in ms. */
function histogramOver(name: string, agg: Aggregation, w: string, sel: string): string {
  const rate = (suffix: string) => `sum(rate(${m(`${name}_${suffix}`, sel)}[${w}]))`;
  const q = quantileOf(agg);
  if (q !== undefined) {
    return `histogram_quantile(${q}, sum by (le) (rate(${m(`${name}_bucket`, sel)}[${w}]))) * 1000`;
  }
  if (agg.kind === 'avg') return `${rate('sum')} / ${rate('count')} * 1000`;
  throw unsupported(agg, 'a histogram gives percentiles and the mean only');
}

/** A gauge's aggregation over the range; `inner` is an instant expression (a subquery reads it at 1 s steps). */
function gaugeOver(series: string, agg: Aggregation, w: string): string {
  const q = quantileOf(agg);
  if (q !== undefined) return `max(quantile_over_time(${q}, ${series}[${w}]))`;
  const fn = ({ avg: 'avg_over_time', min: 'min_over_time', max: 'max_over_time', value: 'last_over_time' } as Record<string, string>)[agg.kind];
  if (!fn) throw unsupported(agg, 'a gauge gives avg, min, max, value, med and p(N)');
  return `max(${fn}(${series}[${w}]))`;
}

/** The ratio of a pool-style gauge pair over the range: (used sum over time) / (capacity sum over time). */
function poolOver(agg: Aggregation, w: string): string {
  if (agg.kind !== 'avg' && agg.kind !== 'value') {
    const fn = { min: 'min_over_time', max: 'max_over_time' }[agg.kind as 'min'];
    if (!fn) throw unsupported(agg, 'pool utilisation gives avg, value, min and max');
    return `${fn}((${POOL_NOW})[${w}:1s])`;
  }
  const f = agg.kind === 'avg' ? 'avg_over_time' : 'last_over_time';
  return `(sum(${f}(db_pool_total[${w}])) - sum(${f}(db_pool_idle[${w}]))) / sum(${f}(db_pool_max[${w}]))`;
}

const POOL_NOW = '(sum(db_pool_total) - sum(db_pool_idle)) / sum(db_pool_max)';

const unsupported = (agg: Aggregation, why: string): ConfigError =>
  new ConfigError([{ path: 'expr', message: `${agg.kind === 'p' ? `p(${agg.p})` : agg.kind} has no PromQL form here (${why})` }], 'cannot export as a Prometheus rule');

/** The harness' own gauge of a server reading perfgate's collectors took (src/run/harness-metrics.ts). */
export const harnessGauge = (metric: string): string => `perfgate_${metric}`;

/** An exporter's expression, or the harness' reading of the same ratio when no exporter is scraped. */
function exporterOr(exporter: (w: string, fn: string) => string, metric: string) {
  return (agg: Aggregation, w: string): string => {
    const harness = gaugeOver(harnessGauge(metric), agg, w);
    if (agg.kind !== 'avg' && agg.kind !== 'value' && agg.kind !== 'max') return harness;
    const fn = { avg: 'avg_over_time', value: 'last_over_time', max: 'max_over_time' }[agg.kind];
    return `(${exporter(w, fn)}) or ${harness}`;
  };
}

// perfgate's `name` tag is a scenario step, not a route template: it has no label on the target's series.
const client = { method: 'method', status: 'status' };

/** Every perfgate metric with a PromQL form. */
export const PROM_SOURCES: Readonly<Record<string, PromSource>> = {
  http_req_duration: { labels: client, over: (a, w, s) => histogramOver(HTTP_HISTOGRAM, a, w, s), count: (w, s) => `sum(increase(${m(`${HTTP_HISTOGRAM}_count`, s)}[${w}]))` },
  http_req_failed: {
    labels: client,
    over: (a, w, s) => {
      if (a.kind !== 'rate') throw unsupported(a, 'an error ratio gives rate');
      return `sum(rate(${HTTP_HISTOGRAM}_count{${join(s, `status=~"${FAILED_STATUS}"`)}}[${w}])) / sum(rate(${m(`${HTTP_HISTOGRAM}_count`, s)}[${w}]))`;
    },
    count: (w, s) => `sum(increase(${m(`${HTTP_HISTOGRAM}_count`, s)}[${w}]))`,
  },
  http_reqs: {
    labels: client,
    over: (a, w, s) => {
      if (a.kind === 'rate') return `sum(rate(${m(`${HTTP_HISTOGRAM}_count`, s)}[${w}]))`;
      if (a.kind === 'count') return `sum(increase(${m(`${HTTP_HISTOGRAM}_count`, s)}[${w}]))`;
      throw unsupported(a, 'a counter gives count and rate');
    },
    count: (w, s) => `sum(increase(${m(`${HTTP_HISTOGRAM}_count`, s)}[${w}]))`,
  },
  db_query_duration: { labels: { query: 'query' }, over: (a, w, s) => histogramOver(DB_HISTOGRAM, a, w, s), count: (w, s) => `sum(increase(${m(`${DB_HISTOGRAM}_count`, s)}[${w}]))` },
  db_pool_utilization: { labels: {}, over: (a, w) => poolOver(a, w), count: (w) => `count_over_time(db_pool_max[${w}])` },
  cache_hit_ratio: {
    labels: { cache: 'cache' },
    over: (a, w, s) => {
      if (a.kind !== 'value' && a.kind !== 'avg') throw unsupported(a, 'the hit ratio gives value (hits over lookups in the window)');
      const hits = `sum(rate(${m('cache_hits_total', s)}[${w}]))`;
      return `${hits} / (${hits} + sum(rate(${m('cache_misses_total', s)}[${w}])))`;
    },
    count: (w, s) => `max(count_over_time(${m('cache_hits_total', s)}[${w}]))`,
  },
  redis_memory_utilization: {
    labels: {},
    over: exporterOr((w, fn) => `sum(${fn}(redis_memory_used_bytes[${w}])) / sum(${fn}(redis_memory_max_bytes[${w}]) > 0)`, 'redis_memory_utilization'),
    count: (w) => `max(count_over_time(${harnessGauge('redis_memory_utilization')}[${w}]) or count_over_time(redis_memory_used_bytes[${w}]))`,
  },
  host_memory_utilization: {
    labels: {},
    over: exporterOr((w, fn) => `1 - sum(${fn}(node_memory_MemAvailable_bytes[${w}])) / sum(${fn}(node_memory_MemTotal_bytes[${w}]))`, 'host_memory_utilization'),
    count: (w) => `max(count_over_time(${harnessGauge('host_memory_utilization')}[${w}]) or count_over_time(node_memory_MemTotal_bytes[${w}]))`,
  },
  host_cpu_utilization: {
    labels: {},
    over: exporterOr((w) => `1 - avg(rate(node_cpu_seconds_total{mode="idle"}[${w}]))`, 'host_cpu_utilization'),
    count: (w) => `max(count_over_time(${harnessGauge('host_cpu_utilization')}[${w}]) or count_over_time(node_cpu_seconds_total{mode="idle"}[${w}]))`,
  },
};

/** The label matchers of a metric key's tags; a tag with no label on the series is a ConfigError naming it. */
export function selectorOf(metric: string, tags: Record<string, string>, path: string): string {
  const src = PROM_SOURCES[metric];
  if (!src) throw new ConfigError([{ path, message: `${metric} has no PromQL form (exportable: ${Object.keys(PROM_SOURCES).join(', ')})` }], 'cannot export as a Prometheus rule');
  return join(
    ...Object.entries(tags).map(([tag, value]) => {
      const label = src.labels[tag];
      if (!label) throw new ConfigError([{ path, message: `tag ${tag} has no label on the Prometheus series (labels: ${Object.keys(src.labels).join(', ') || 'none'})` }], 'cannot export as a Prometheus rule');
      return `${label}=${JSON.stringify(value)}`;
    }),
  );
}

/** A duration in ms as PromQL writes it: 10000 -> "10s", 90000 -> "1m30s", 1500 -> "1500ms". */
export function promDuration(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
