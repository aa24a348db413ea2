// Client-side chart rows from interval records: latency percentiles, throughput and errors with the load shape,
// per-endpoint statistics and the HdrHistogram percentile spectrum; plus the phase and fault bands.
// Pure: records in (one at a time, or all at once), rows out. Histograms are merged per time bucket, never averaged.

import type { ErrorClass, IntervalRecord, RequestIntervalRecord, RunJson, TickIntervalRecord } from '../results/format.ts';
import { forEachBucket, SparseHistogram } from '../metrics/sparse-histogram.ts';
import { windowedPercentiles, type BucketHistogram, type PercentileWindow } from './percentile-windows.ts';

/** Charts never draw more points per series than this; longer runs merge neighbouring intervals. */
export const MAX_POINTS = 200;

/** A shaded background stretch: a named phase or an injected fault, in ms from the run start. */
export interface Band {
  kind: 'phase' | 'fault';
  name: string;
  startMs: number;
  endMs: number;
}

/** One latency point: a percentile of all requests in the window (of its series) that starts at tMs. */
export interface LatencyRow {
  tMs: number;
  series: 'p50' | 'p95' | 'p99';
  valueMs: number;
}

/** Throughput, errors and load in one time bucket. */
export interface ThroughputRow {
  tMs: number;
  reqPerS: number;
  errorRate: number;
  vus: number;
  targetRatePerS?: number;
}

/** Totals of one request name over the whole run. */
export interface EndpointStats {
  name: string;
  method: string;
  requests: number;
  failed: number;
  errorRate: number;
  errorsByClass: Partial<Record<ErrorClass, number>>;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** One point of the percentile spectrum: x = 1 / (1 - percentile/100), as HdrHistogram's plotter draws it. */
export interface SpectrumRow {
  name: string;
  percentile: number;
  x: number;
  latencyMs: number;
}

/** Generator health per time bucket, from the tick records. */
export interface GeneratorRow {
  tMs: number;
  cpu: number;
  loopLagMs: number;
}

/** Everything the client-side charts and tables need. */
export interface ClientSeries {
  bucketMs: number;
  latency: LatencyRow[];
  /** The window each latency series was drawn over: wider than bucketMs when its buckets hold too few requests. */
  latencyWindows: PercentileWindow[];
  throughput: ThroughputRow[];
  endpoints: EndpointStats[];
  spectrum: SpectrumRow[];
  generator: GeneratorRow[];
  totals: { requests: number; failed: number; errorRate: number; reqPerS: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null; maxMs: number | null; durationMs: number };
}

/** The latency series drawn over time, and their percentiles. */
const LATENCY_PERCENTILES = [{ name: 'p50', percentile: 50 }, { name: 'p95', percentile: 95 }, { name: 'p99', percentile: 99 }] as const;

/** Percentiles drawn on the spectrum, up to 99.999. */
export const SPECTRUM_PERCENTILES = [0, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.9, 99.95, 99.99, 99.999];

/** Phase and fault windows of run.json as background bands. */
export function bandsOf(run: RunJson): Band[] {
  const out: Band[] = [];
  for (const p of run.phases ?? []) out.push({ kind: 'phase', name: p.name, startMs: p.startMs, endMs: p.endMs });
  for (const f of run.faults ?? []) out.push({ kind: 'fault', name: f.name, startMs: f.startMs, endMs: f.endMs });
  return out.filter((b) => Number.isFinite(b.startMs) && Number.isFinite(b.endMs) && b.endMs > b.startMs);
}

/** The bucket width that keeps a run of `spanMs` under MAX_POINTS points, a whole number of intervals. */
export function bucketWidthMs(spanMs: number, intervalMs: number): number {
  const base = intervalMs > 0 ? intervalMs : 1000;
  const k = Math.max(1, Math.ceil(spanMs / base / MAX_POINTS));
  return k * base;
}

/** One time bucket's sums so far: its requests' merged histogram, counts, and the tick readings. */
interface Bucket {
  hist: SparseHistogram;
  count: number;
  failed: number;
  vus: number;
  target?: number;
  cpu: number;
  lag: number;
  ticks: number;
}

/** One endpoint's statistics so far, and its merged histogram. */
interface Endpoint {
  stats: EndpointStats;
  hist: SparseHistogram;
}

function emptyBucket(): Bucket {
  return { hist: new SparseHistogram(), count: 0, failed: 0, vus: 0, cpu: 0, lag: 0, ticks: 0 };
}

/** Adds the sums of `from` into `into` (coarsening buckets: histograms merged, counts summed, maxima kept). */
function mergeBucket(into: Bucket, from: Bucket): void {
  into.hist.merge(from.hist);
  into.count += from.count;
  into.failed += from.failed;
  into.vus = Math.max(into.vus, from.vus);
  if (from.target !== undefined) into.target = Math.max(into.target ?? 0, from.target);
  into.cpu += from.cpu;
  into.lag = Math.max(into.lag, from.lag);
  into.ticks += from.ticks;
}

/**
 * Builds the client series one record at a time, so a run's records need never be held: each request histogram
 * is decoded once, in place, into its time bucket, its endpoint and the run total. Memory grows with the number of
 * buckets (at most MAX_POINTS when the run's duration is known up front) and of request names, not with the run's
 * length.
 */
export class ClientSeriesBuilder {
  private readonly buckets = new Map<number, Bucket>();
  private readonly byName = new Map<string, Endpoint>();
  private readonly all = new SparseHistogram();
  private intervalMs = 0;
  /** The width records are summed at; finish() may coarsen it to keep under MAX_POINTS. */
  private widthMs = 0;
  private endMs: number;

  /** `durationHintMs`: the run's duration (run.json), which fixes the bucket width before the first record. */
  constructor(private readonly durationHintMs = 0) {
    this.endMs = durationHintMs;
  }

  /** Adds one interval record (request or tick). */
  add(r: IntervalRecord): void {
    if (this.widthMs === 0) {
      this.intervalMs = r.intervalMs > 0 ? r.intervalMs : 1000;
      this.widthMs = this.durationHintMs > 0 ? bucketWidthMs(this.durationHintMs, this.intervalMs) : this.intervalMs;
    }
    this.endMs = Math.max(this.endMs, r.tMs + r.intervalMs);
    const key = Math.floor(r.tMs / this.widthMs) * this.widthMs;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = emptyBucket()));
    if (r.type === 'req') this.addRequest(b, r);
    else if (r.type === 'tick') addTick(b, r);
  }

  private addRequest(b: Bucket, r: RequestIntervalRecord): void {
    b.count += r.count;
    b.failed += r.failed;
    const e = this.endpoint(r);
    e.stats.requests += r.count;
    e.stats.failed += r.failed;
    for (const [cls, n] of Object.entries(r.errors ?? {})) {
      const c = cls as ErrorClass;
      e.stats.errorsByClass[c] = (e.stats.errorsByClass[c] ?? 0) + (n ?? 0);
    }
    const add = (index: number, count: number): void => {
      b.hist.add(index, count);
      e.hist.add(index, count);
      this.all.add(index, count);
    };
    if (r.okHist) forEachBucket(r.okHist, add);
    if (r.failHist) forEachBucket(r.failHist, add);
  }

  private endpoint(r: RequestIntervalRecord): Endpoint {
    const key = `${r.method} ${r.name}`;
    let e = this.byName.get(key);
    if (!e) {
      e = { stats: { name: r.name, method: r.method, requests: 0, failed: 0, errorRate: 0, errorsByClass: {}, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null }, hist: new SparseHistogram() };
      this.byName.set(key, e);
    }
    return e;
  }

  /** The series of every record added so far. */
  finish(): ClientSeries {
    // buckets (coarsened to at most MAX_POINTS) -> throughput, generator and per-bucket histograms -> windowed
    // percentiles; endpoints -> statistics and spectrum; the run total -> totals
    const intervalMs = this.intervalMs || 1000;
    const endMs = this.endMs;
    const { bucketMs, buckets } = this.coarsened(bucketWidthMs(endMs, intervalMs));
    const perBucket: BucketHistogram[] = [];
    const throughput: ThroughputRow[] = [];
    const generator: GeneratorRow[] = [];
    for (const tMs of [...buckets.keys()].sort((a, b) => a - b)) {
      const b = buckets.get(tMs)!;
      perBucket.push({ tMs, hist: b.hist });
      const widthS = Math.min(bucketMs, Math.max(intervalMs, endMs - tMs)) / 1000;
      const row: ThroughputRow = { tMs, reqPerS: b.count / widthS, errorRate: b.count > 0 ? b.failed / b.count : 0, vus: b.vus };
      if (b.target !== undefined) row.targetRatePerS = b.target;
      throughput.push(row);
      if (b.ticks > 0) generator.push({ tMs, cpu: b.cpu / b.ticks, loopLagMs: b.lag });
    }
    const { endpoints, spectrum } = endpointRows(this.byName);
    const { points: latency, windows: latencyWindows } = windowedPercentiles(perBucket, bucketMs, LATENCY_PERCENTILES);
    const requests = endpoints.reduce((s, e) => s + e.requests, 0);
    const failed = endpoints.reduce((s, e) => s + e.failed, 0);
    const [p50Ms, p95Ms, p99Ms] = percentilesMs(this.all, [50, 95, 99]);
    return {
      bucketMs,
      latency,
      latencyWindows,
      throughput,
      endpoints,
      spectrum,
      generator,
      totals: { requests, failed, errorRate: requests > 0 ? failed / requests : 0, reqPerS: endMs > 0 ? requests / (endMs / 1000) : 0, p50Ms, p95Ms, p99Ms, maxMs: maxMs(this.all), durationMs: endMs },
    };
  }

  /**
   * The buckets at the width the whole run needs: the summing width when it suffices, else the next multiple of it
   * (records that ran past the duration hint would otherwise draw more than MAX_POINTS points).
   */
  private coarsened(wantedMs: number): { bucketMs: number; buckets: Map<number, Bucket> } {
    const width = this.widthMs || wantedMs;
    if (wantedMs <= width) return { bucketMs: width, buckets: this.buckets };
    const bucketMs = Math.ceil(wantedMs / width) * width;
    const out = new Map<number, Bucket>();
    for (const [tMs, b] of this.buckets) {
      const key = Math.floor(tMs / bucketMs) * bucketMs;
      let into = out.get(key);
      if (!into) out.set(key, (into = emptyBucket()));
      mergeBucket(into, b);
    }
    return { bucketMs, buckets: out };
  }
}

/** Adds a tick's load and generator readings to its bucket. */
function addTick(b: Bucket, r: TickIntervalRecord): void {
  b.vus = Math.max(b.vus, r.vusMax ?? r.vus);
  if (r.targetRatePerS !== undefined) b.target = Math.max(b.target ?? 0, r.targetRatePerS);
  b.cpu += r.generatorCpu ?? 0;
  b.lag = Math.max(b.lag, r.generatorLoopLagP99Ms ?? 0);
  b.ticks++;
}

/** Every endpoint's final statistics (busiest first) and percentile spectrum. */
function endpointRows(byName: ReadonlyMap<string, Endpoint>): { endpoints: EndpointStats[]; spectrum: SpectrumRow[] } {
  const endpoints: EndpointStats[] = [];
  const spectrum: SpectrumRow[] = [];
  for (const { stats, hist } of byName.values()) {
    stats.errorRate = stats.requests > 0 ? stats.failed / stats.requests : 0;
    [stats.p50Ms, stats.p95Ms, stats.p99Ms] = percentilesMs(hist, [50, 95, 99]);
    stats.maxMs = maxMs(hist);
    endpoints.push(stats);
    spectrum.push(...spectrumOf(stats.name, hist));
  }
  endpoints.sort((a, b) => b.requests - a.requests || a.name.localeCompare(b.name));
  return { endpoints, spectrum };
}

/** Builds the client-side series from the interval records of a run. */
export function clientSeries(intervals: Iterable<IntervalRecord>, durationHintMs = 0): ClientSeries {
  const builder = new ClientSeriesBuilder(durationHintMs);
  for (const r of intervals) builder.add(r);
  return builder.finish();
}

/** The percentile spectrum of one endpoint; only percentiles its sample size can resolve, then the max. */
function spectrumOf(name: string, hist: SparseHistogram): SpectrumRow[] {
  const rows: SpectrumRow[] = [];
  const total = hist.totalCount;
  if (total === 0) return rows;
  const usable = SPECTRUM_PERCENTILES.filter((p) => p === 0 || 1 / (1 - p / 100) <= total);
  const values = percentilesMs(hist, usable);
  usable.forEach((p, i) => rows.push({ name, percentile: p, x: 1 / (1 - p / 100), latencyMs: values[i] ?? 0 }));
  const max = maxMs(hist);
  const last = rows[rows.length - 1];
  if (max !== null && last && total > 1) {
    const p = 100 * (1 - 1 / total);
    if (p > last.percentile) rows.push({ name, percentile: p, x: total, latencyMs: max });
  }
  return rows;
}

/** Values at several percentiles (0..100, ascending) in ms; nulls when empty. */
function percentilesMs(hist: SparseHistogram, percentiles: readonly number[]): Array<number | null> {
  return hist.percentilesUs(percentiles).map((us) => (us === null ? null : us / 1000));
}

/** The highest recorded latency (top of its bucket) in ms; null when empty. */
function maxMs(hist: SparseHistogram): number | null {
  const us = hist.maxUs();
  return us === null ? null : us / 1000;
}
