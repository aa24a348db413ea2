// Aggregation of collector samples (samples.ndjson) over a window: gauges, ratios (num/den) and histograms (bucket
// deltas, quantiles as Prometheus' histogram_quantile computes them). Pure: records in, numbers out.
//
// Time: a sample stamped tMs describes the interval ending at tMs, so it belongs to the time max(0, tMs - 1); a window
// [fromMs, toMs) holds the samples whose time falls in it, and a phase likewise.
// Series: samples of one metric with different labels are separate series. When a filter leaves several series,
// they are combined per timestamp: ratios with num/den add num and den, other ratio-unit gauges average, the rest add
// (pg_connections without a state filter is the total). A collector that writes an unlabelled series next to
// labelled ones (PgBouncer: per pool, and in total) means it as their total: a selection without label filters
// takes that series alone, so totals are not counted twice. Samples with value null are gaps: skipped and counted.

import type { SampleRecord, TimeWindow } from '../results/format.ts';
import { mergeBuckets } from './buckets.ts';
import { metricInfo } from './catalog.ts';

/** A time window in ms since the run started, toMs exclusive; `spans`, when set, are the only parts of it that count. */
export interface WindowMs {
  fromMs: number;
  toMs: number;
  /** Disjoint stretches inside [fromMs, toMs), in time order: a phase whose name several stages bear. */
  spans?: Array<{ fromMs: number; toMs: number }>;
}

/** Whether a time (ms) falls in a window (in one of its spans, when it has them). */
export function inWindowMs(w: WindowMs, tMs: number): boolean {
  if (tMs < w.fromMs || tMs >= w.toMs) return false;
  return !w.spans || w.spans.some((s) => tMs >= s.fromMs && tMs < s.toMs);
}

/** The length of a window in ms: the sum of its spans, when it has them. */
export function windowDurationMs(w: WindowMs): number {
  if (!w.spans) return Math.max(0, w.toMs - w.fromMs);
  return w.spans.reduce((a, s) => a + Math.max(0, s.toMs - s.fromMs), 0);
}

/** The time a sample counts at (it describes the interval ending at its stamp). */
export function sampleTimeMs(tMs: number): number {
  return Math.max(0, tMs - 1);
}

/** The phase (run.json phases) a time falls in, or undefined. */
export function phaseAt(phases: readonly TimeWindow[], tMs: number): string | undefined {
  for (const p of phases) if (tMs >= p.startMs && tMs < p.endMs) return p.name;
  return undefined;
}

/** Which samples to take: the metric, label filters (`phase` matches the run's phase windows), and the window. */
export interface SampleFilter {
  metric: string;
  labels?: Record<string, string>;
  window?: WindowMs;
  phases?: readonly TimeWindow[];
}

/** The selected samples of one metric, combined across series, and the gaps met. */
export interface SampleSelection {
  /** One combined sample per timestamp, in time order (gaps removed). */
  points: SampleRecord[];
  /** Samples with value null in the selection. */
  gaps: number;
  /** Distinct label sets seen. */
  series: number;
}

/** Selects the samples of a metric matching label filters and a window, and combines series per timestamp. */
export function selectSamples(samples: readonly SampleRecord[], filter: SampleFilter): SampleSelection {
  const { phase, ...labels } = filter.labels ?? {};
  const unlabelled = (s: SampleRecord) => !s.labels || Object.keys(s.labels).length === 0;
  const totalOnly = Object.keys(labels).length === 0 && samples.some((s) => s.metric === filter.metric && s.value !== null && unlabelled(s));
  const byTime = new Map<number, SampleRecord[]>();
  const seriesKeys = new Set<string>();
  let gaps = 0;
  for (const s of samples) {
    if (s.metric !== filter.metric) continue;
    const at = sampleTimeMs(s.tMs);
    if (filter.window && !inWindowMs(filter.window, at)) continue;
    if (phase !== undefined && phaseAt(filter.phases ?? [], at) !== phase) continue;
    if (!Object.entries(labels).every(([k, v]) => s.labels?.[k] === v)) continue;
    if (s.value === null && !s.buckets) {
      gaps++;
      continue;
    }
    if (totalOnly && !unlabelled(s)) continue;
    seriesKeys.add(JSON.stringify(Object.entries(s.labels ?? {}).sort()));
    const list = byTime.get(s.tMs);
    if (list) list.push(s);
    else byTime.set(s.tMs, [s]);
  }
  const unitIsRatio = metricInfo(filter.metric)?.unit === 'ratio';
  const points = [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([, list]) => combine(list, unitIsRatio));
  return { points, gaps, series: seriesKeys.size };
}

function combine(list: SampleRecord[], unitIsRatio: boolean): SampleRecord {
  if (list.length === 1) return list[0];
  const first = list[0];
  const out: SampleRecord = { tMs: first.tMs, source: first.source, metric: first.metric, value: null };
  const values = list.map((s) => s.value).filter((v): v is number => v !== null);
  if (list.every((s) => s.num !== undefined && s.den !== undefined)) {
    out.num = list.reduce((a, s) => a + (s.num ?? 0), 0);
    out.den = list.reduce((a, s) => a + (s.den ?? 0), 0);
    out.value = out.den > 0 ? out.num / out.den : null;
  } else if (values.length) {
    const sum = values.reduce((a, b) => a + b, 0);
    out.value = unitIsRatio ? sum / values.length : sum;
  }
  const withBuckets = list.filter((s) => s.buckets);
  if (withBuckets.length) out.buckets = mergeBuckets(withBuckets.map((s) => s.buckets ?? []));
  return out;
}

/** The p-th percentile (0..100) of values, interpolated linearly between the closest ranks (k6's Trend method). */
export function percentileOf(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  if (sorted.length === 1) return sorted[0];
  const i = (p / 100) * (sorted.length - 1);
  const lo = sorted[Math.floor(i)];
  const hi = sorted[Math.ceil(i)];
  return lo + (hi - lo) * (i - Math.floor(i));
}

/** Gauge statistics over samples: value (last, or sum(num)/sum(den) for ratios), min, max, avg, med, count. */
export interface GaugeStats {
  value: number;
  min: number;
  max: number;
  avg: number;
  med: number;
  count: number;
  /** The sorted values, for any percentile. */
  sorted: number[];
}

/** Statistics of combined sample points; null when there is no value. */
export function gaugeStats(points: readonly SampleRecord[]): GaugeStats | null {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const ratioPoints = points.filter((p) => p.num !== undefined && p.den !== undefined);
  const den = ratioPoints.reduce((a, p) => a + (p.den ?? 0), 0);
  const value = ratioPoints.length > 0 && den > 0 ? ratioPoints.reduce((a, p) => a + (p.num ?? 0), 0) / den : values[values.length - 1];
  return {
    value,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    avg: values.reduce((a, b) => a + b, 0) / values.length,
    med: percentileOf(sorted, 50) as number,
    count: values.length,
    sorted,
  };
}

/** Counter statistics over samples (each sample a per-interval delta): count (sum) and rate per second of the window. */
export function counterStats(points: readonly SampleRecord[], windowMs: number): { count: number; rate: number } | null {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return null;
  const count = values.reduce((a, b) => a + b, 0);
  return { count, rate: windowMs > 0 ? count / (windowMs / 1000) : 0 };
}
