// Builds summary.json (k6's end-of-test summary shape) from a run's records: every client metric, sub-metrics per
// step name, every server metric seen in the samples (and per label set), and each threshold key with its
// `thresholds.<expression>.ok` taken from the verdict, so the two always agree. Pure.

import { aggregateMetric, aggregateServer, CLIENT_TAGS, SQL_METHOD, type Aggregate, type AggregateData } from '../metrics/aggregate.ts';
import { metricInfo } from '../metrics/catalog.ts';
import type { WindowMs } from '../metrics/samples.ts';
import { parseKey } from '../metrics/metric-key.ts';
import { runWindow, thresholdWindow } from '../metrics/windows.ts';
import type { IntervalRecord, RunJson, SampleRecord, SummaryJson, SummaryMetric, VerdictJson } from './format.ts';
import { FORMAT_VERSION } from './format.ts';

/** What buildSummary needs: the run's records, all in memory or streamed in by the caller. */
export interface SummaryInput {
  run: RunJson;
  intervals: IntervalRecord[];
  samples: SampleRecord[];
}

const PERCENTILES = [90, 95, 99];
const tidy = (v: number): number => Math.round(v * 1e9) / 1e9;

/** The key of a metric with tags: `http_req_duration{name:company}`. */
export function metricKey(metric: string, tags: Record<string, string>): string {
  const entries = Object.entries(tags);
  return entries.length ? `${metric}{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}` : metric;
}

/** k6 summary values of an aggregate; null when it holds no data. */
export function summaryValues(agg: Aggregate | null): Record<string, number> | null {
  if (!agg || agg.n === 0) return null;
  const out: Record<string, number> = {};
  const put = (name: string, v: number | null) => {
    if (v !== null && Number.isFinite(v)) out[name] = tidy(v);
  };
  if (agg.type === 'rate') {
    const passes = agg.get({ kind: 'count' });
    put('rate', agg.get({ kind: 'rate' }));
    if (passes !== null) {
      put('passes', passes);
      put('fails', agg.n - passes);
    }
  } else if (agg.type === 'counter') {
    put('count', agg.get({ kind: 'count' }));
    put('rate', agg.get({ kind: 'rate' }));
  } else {
    if (agg.type === 'gauge') put('value', agg.get({ kind: 'value' }));
    for (const kind of ['avg', 'min', 'med', 'max'] as const) put(kind, agg.get({ kind }));
    for (const p of PERCENTILES) put(`p(${p})`, agg.get({ kind: 'p', p }));
    if (agg.type === 'trend') put('count', agg.get({ kind: 'count' }) ?? agg.n);
  }
  return Object.keys(out).length ? out : null;
}

function contains(metric: string): SummaryMetric['contains'] {
  const unit = metricInfo(metric)?.unit;
  return unit === 'ms' ? 'time' : unit === 'bytes' ? 'data' : 'default';
}

/** Builds summary.json from the run's records; with a verdict, fills `thresholds.<expression>.ok`. */
export function buildSummary(input: SummaryInput, verdict?: VerdictJson): SummaryJson {
  // records -> client metrics (+ per name) -> server metrics (+ per label set) -> threshold keys -> ok from verdict
  const window = runWindow(input);
  const data: AggregateData = { intervals: input.intervals, samples: input.samples, phases: input.run.phases };
  const metrics: Record<string, SummaryMetric> = {};
  const add = (metric: string, tags: Record<string, string>, w: WindowMs = window, agg?: Aggregate | null) => {
    const a = agg === undefined ? aggregateMetric(data, metric, tags, w) : agg;
    const values = summaryValues(a);
    if (!values || !a) return;
    metrics[metricKey(metric, tags)] = { type: a.type, contains: contains(metric), values };
  };

  for (const metric of Object.keys(CLIENT_TAGS)) add(metric, {});
  add('http_req_duration', { expected_response: 'true' });
  const names = new Map<string, boolean>();
  for (const r of input.intervals) if (r.type === 'req') names.set(r.name, r.method === SQL_METHOD);
  for (const [name, sql] of [...names.entries()].sort()) {
    const prefix = sql ? 'sql_query' : 'http_req';
    add(`${prefix}_duration`, { name });
    add(`${prefix}_failed`, { name });
    if (!sql) add('http_reqs', { name });
  }

  const series = new Map<string, Map<string, Record<string, string>>>();
  for (const s of input.samples) {
    let m = series.get(s.metric);
    if (!m) series.set(s.metric, (m = new Map()));
    if (s.labels && Object.keys(s.labels).length) m.set(JSON.stringify(Object.entries(s.labels).sort()), s.labels);
  }
  for (const [metric, labelSets] of [...series.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const type = metricInfo(metric)?.type ?? 'gauge';
    add(metric, {}, window, aggregateServer(data, metric, type, {}, window));
    for (const labels of labelSets.values()) add(metric, labels, window, aggregateServer(data, metric, type, labels, window));
  }

  for (const entry of verdict?.thresholds ?? []) {
    if (!metrics[entry.key]) {
      const { metric, tags, problems } = parseKey(entry.key);
      const info = metricInfo(metric);
      const w = thresholdWindow(input, { tags }, window);
      const values = problems.length || !info ? null : summaryValues(aggregateMetric(data, metric, tags, w));
      metrics[entry.key] = { type: info?.type ?? 'gauge', contains: contains(metric), values: values ?? {} };
    }
    const m = metrics[entry.key];
    m.thresholds = { ...m.thresholds, [entry.expression]: { ok: entry.pass && (m.thresholds?.[entry.expression]?.ok ?? true) } };
  }

  return {
    format: FORMAT_VERSION,
    state: { testRunDurationMs: input.run.durationMs ?? window.toMs, status: input.run.status },
    metrics,
    ...(verdict?.capacity ? { capacity: verdict.capacity } : {}),
  };
}
