// The run-level statistics the gate compares, from one run's records: per request name and for the whole run,
// latency p(50), p(95), p(99) (merged HDR histograms), throughput and error rate; and the server metrics the run
// holds. Each comes with its per-interval bootstrap data, built only when asked. Pure: records in, measurements out.

import { SQL_METHOD } from '../metrics/aggregate.ts';
import { metricInfo } from '../metrics/catalog.ts';
import { histogramQuantile, mergeBuckets } from '../metrics/buckets.ts';
import { gaugeStats, sampleTimeMs, selectSamples } from '../metrics/samples.ts';
import type { IntervalRecord, RequestIntervalRecord, SampleRecord } from '../results/format.ts';
import type { IntervalSeries } from './bootstrap.ts';
import { latencyIntervals, percentileSeries } from './latency-series.ts';
import type { Measurement } from './types.ts';

/** The records of a run that the gate reads. */
export interface RunRecords {
  intervals: readonly IntervalRecord[];
  samples: readonly SampleRecord[];
  /** The machine's cores (run.json environment.cpus): the generator's CPU in cores becomes a share of the machine. */
  cores?: number;
}

/** Latency percentiles compared, as quantiles. */
export const LATENCY_QUANTILES = [0.5, 0.95, 0.99] as const;

/** Server gauges compared by their run-level average (cache_hit_ratio by sum(hits) / sum(lookups)). */
export const SERVER_GAUGES = ['db_pool_utilization', 'cache_hit_ratio', 'target_cpu', 'redis_memory_utilization'] as const;

/** Server histograms compared by quantiles of their merged buckets. */
export const SERVER_HISTOGRAMS = ['db_query_duration'] as const;

const pLabel = (q: number) => `p(${Number((q * 100).toFixed(3))})`;

/** The key of a measurement: `metric{name:x} stat`, or `metric stat` for the whole run. */
export function measurementKey(metric: string, name: string | undefined, stat: string): string {
  return `${metric}${name === undefined ? '' : `{name:${name}}`} ${stat}`;
}

/** The run's 1-second intervals: how many, and the length of one (ms). */
function timeAxis(intervals: readonly IntervalRecord[]): { n: number; intervalMs: number } {
  let intervalMs = 1000;
  let last = -1;
  for (const r of intervals) {
    intervalMs = r.intervalMs || intervalMs;
    last = Math.max(last, r.tMs);
  }
  return { n: last < 0 ? 0 : Math.floor(last / intervalMs) + 1, intervalMs };
}

/** Every measurement of a run, keyed. Names with one name only are compared once, as the whole run. */
export function extractMeasurements(rec: RunRecords): Map<string, Measurement> {
  const out = new Map<string, Measurement>();
  const axis = timeAxis(rec.intervals);
  const reqs = rec.intervals.filter((r): r is RequestIntervalRecord => r.type === 'req' && r.method !== SQL_METHOD);
  const names = [...new Set(reqs.map((r) => r.name))].sort();
  const scopes: Array<string | undefined> = [undefined, ...(names.length > 1 ? names : [])];
  for (const name of scopes) {
    const mine = name === undefined ? reqs : reqs.filter((r) => r.name === name);
    for (const m of clientMeasurements(mine, name, axis)) out.set(m.key, m);
  }
  for (const m of serverMeasurements(rec.samples, axis)) out.set(m.key, m);
  return out;
}

function clientMeasurements(reqs: readonly RequestIntervalRecord[], name: string | undefined, axis: { n: number; intervalMs: number }): Measurement[] {
  const perInterval: string[][] = Array.from({ length: axis.n }, () => []);
  const counts = new Float64Array(axis.n);
  let failed = 0;
  let total = 0;
  for (const r of reqs) {
    const t = Math.floor(r.tMs / axis.intervalMs);
    perInterval[t].push(r.okHist, r.failHist);
    counts[t] += r.count;
    failed += r.failed;
    total += r.count;
  }
  const li = latencyIntervals(perInterval);
  const base = { metric: 'http_req_duration', name, unit: 'ms', direction: 'higher-is-worse' as const };
  const out: Measurement[] = LATENCY_QUANTILES.map((q) => ({
    ...base, key: measurementKey(base.metric, name, pLabel(q)), stat: pLabel(q), kind: 'percentile', quantile: q,
    value: li.merged.totalCount ? (li.merged.percentileUs(100 * q) as number) / 1000 : null, n: li.merged.totalCount,
    series: () => percentileSeries(li, q),
  }));
  const durationS = (axis.n * axis.intervalMs) / 1000;
  out.push({
    key: measurementKey('http_reqs', name, 'rate'), metric: 'http_reqs', name, stat: 'rate', unit: 'per_s', direction: 'lower-is-worse',
    kind: 'throughput', value: total && durationS ? total / durationS : null, n: total,
    series: () => ({ rows: counts, n: axis.n, d: 1, driver: counts, stat: (col) => col(0) / durationS }),
  });
  out.push({
    key: measurementKey('http_req_failed', name, 'rate'), metric: 'http_req_failed', name, stat: 'rate', unit: 'ratio', direction: 'higher-is-worse',
    kind: 'error-rate', value: total ? failed / total : null, n: total, failed,
  });
  return out;
}

function serverMeasurements(samples: readonly SampleRecord[], axis: { n: number; intervalMs: number }): Measurement[] {
  const out: Measurement[] = [];
  const slot = (tMs: number) => Math.min(Math.max(axis.n, 1) - 1, Math.floor(sampleTimeMs(tMs) / axis.intervalMs));
  for (const metric of SERVER_GAUGES) {
    const points = selectSamples(samples, { metric }).points;
    const stats = gaugeStats(points);
    if (!stats) continue;
    const ratio = points.some((p) => p.num !== undefined && p.den !== undefined);
    const info = metricInfo(metric);
    const stat = ratio ? 'value' : 'avg';
    out.push({
      key: measurementKey(metric, undefined, stat), metric, stat, unit: info?.unit ?? '', kind: 'gauge',
      direction: metric === 'cache_hit_ratio' ? 'lower-is-worse' : 'higher-is-worse',
      value: ratio ? stats.value : stats.avg, n: stats.count,
      series: () => gaugeSeries(points, axis.n, slot, ratio),
    });
  }
  for (const metric of SERVER_HISTOGRAMS) {
    const points = selectSamples(samples, { metric }).points.filter((p) => p.buckets);
    if (!points.length) continue;
    const merged = mergeBuckets(points.map((p) => p.buckets ?? []));
    const total = merged.length ? merged[merged.length - 1][1] : 0;
    for (const q of [0.5, 0.95]) {
      out.push({
        key: measurementKey(metric, undefined, pLabel(q)), metric, stat: pLabel(q), unit: 'ms', kind: 'percentile', quantile: q,
        direction: 'higher-is-worse', value: histogramQuantile(q, merged), n: total,
        series: () => bucketSeries(points, merged, q, axis.n, slot),
      });
    }
  }
  return out;
}

/** Gauge rows [sum of values, samples] (ratios: [num, den]) per interval; the statistic is their quotient. */
function gaugeSeries(points: readonly SampleRecord[], n: number, slot: (tMs: number) => number, ratio: boolean): IntervalSeries | null {
  if (n < 2) return null;
  const rows = new Float64Array(n * 2);
  for (const p of points) {
    const t = slot(p.tMs);
    if (ratio) {
      rows[2 * t] += p.num ?? 0;
      rows[2 * t + 1] += p.den ?? 0;
    } else if (p.value !== null && Number.isFinite(p.value)) {
      rows[2 * t] += p.value;
      rows[2 * t + 1] += 1;
    }
  }
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t++) {
    num += rows[2 * t];
    den += rows[2 * t + 1];
  }
  const level = den > 0 ? num / den : 0;
  const driver = new Float64Array(n);
  for (let t = 0; t < n; t++) driver[t] = rows[2 * t] - level * rows[2 * t + 1];
  return { rows, n, d: 2, driver, stat: (col) => (col(1) > 0 ? col(0) / col(1) : NaN) };
}

/** Server histogram rows: cumulative bucket counts per interval on the merged layout; the statistic is a quantile. */
function bucketSeries(points: readonly SampleRecord[], merged: ReadonlyArray<[number, number]>, q: number, n: number, slot: (tMs: number) => number): IntervalSeries | null {
  if (n < 2) return null;
  const bounds = merged.map(([b]) => b);
  const d = bounds.length;
  const rows = new Float64Array(n * d);
  for (const p of points) {
    const t = slot(p.tMs);
    const own = mergeBuckets([p.buckets ?? []]);
    const byBound = new Map(own.map(([b, c]) => [b, c]));
    let carry = 0;
    for (let j = 0; j < d; j++) {
      carry = byBound.get(bounds[j]) ?? carry;
      rows[t * d + j] += carry;
    }
  }
  const point = histogramQuantile(q, merged as Array<[number, number]>) ?? 0;
  const at = Math.max(0, bounds.findIndex((b) => b >= point));
  const driver = new Float64Array(n);
  for (let t = 0; t < n; t++) driver[t] = rows[t * d + at] - q * rows[t * d + d - 1];
  return {
    rows, n, d, driver,
    stat: (col) => histogramQuantile(q, bounds.map((b, j) => [b, col(j)] as [number, number])) ?? NaN,
  };
}
