// Client-side time charts: latency percentiles over time, and throughput with errors and the load shape.

import type { TopLevelSpec } from 'vega-lite';
import type { VerdictEntry } from '../../results/format.ts';
import type { ReportModel } from '../model.ts';
import { CHART_WIDTH, COLORS, CONFIG, normalAggregation, phaseThresholdsFor, thresholdsFor, timeX, type ConcatChild } from './common.ts';
import { layered } from './common.ts';
import { linePanelLayers } from './lines.ts';
import { minSamplesForPercentile } from '../../slo/sample-size.ts';
import { fmtCount } from '../format-values.ts';

const LATENCY_SERIES: Record<string, string> = { 'p(50)': 'p50', 'p(95)': 'p95', 'p(99)': 'p99' };

/** The latency series a latency threshold is checked against (p50, p95, p99), if any. */
export function latencySeriesFor(t: VerdictEntry): string | undefined {
  return LATENCY_SERIES[normalAggregation(t.aggregation)];
}

/** "10 s", "2.5 s": a window width in seconds. */
function windowText(ms: number): string {
  return `${Number((ms / 1000).toPrecision(3))} s`;
}

/** "a, b and c". */
function listText(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The latency chart's caption when a percentile series was drawn over windows wider than the chart's buckets, as
 * "p95 and p99 over 10 s windows: about 12 requests a second"; undefined when every series is per bucket.
 */
export function latencyCaption(m: ReportModel): string | undefined {
  const widened = m.client.latencyWindows.filter((w) => w.windowMs > m.client.bucketMs);
  if (widened.length === 0) return undefined;
  const widths = [...new Set(widened.map((w) => w.windowMs))];
  const groups = widths.map((ms) => `${listText(widened.filter((w) => w.windowMs === ms).map((w) => w.series))} over ${windowText(ms)} windows`);
  const rate = m.client.totals.reqPerS;
  const rateText = `about ${Number(rate.toPrecision(rate >= 10 ? 3 : 2))} request${rate === 1 ? '' : 's'} a second`;
  const sparse = widened.filter((w) => w.sparse);
  const one = sparse.length === 1;
  const needs = listText(sparse.map((w) => fmtCount(minSamplesForPercentile(w.percentile))));
  const still = sparse.length ? `; read ${listText(sparse.map((w) => w.series))} as rough even so: most of ${one ? 'its' : 'their'} windows hold fewer than the ${needs} requests ${one ? 'it needs' : 'they need'}` : '';
  return `${listText(groups)}: ${rateText}, too few in ${windowText(m.client.bucketMs)} for those percentiles${still}.`;
}

/** Latency percentiles (p50, p95, p99) over time, SLO rules, breaches in red, phases shaded. */
export function latencySpec(m: ReportModel): TopLevelSpec | undefined {
  if (m.client.latency.length === 0) return undefined;
  const rows = m.client.latency.map((r) => ({ tMs: r.tMs, series: r.series, value: r.valueMs }));
  return layered('Latency percentiles over time', 240, linePanelLayers({
    rows,
    thresholds: thresholdsFor(m.verdict, 'http_req_duration'),
    phased: phaseThresholdsFor(m.verdict, 'http_req_duration'),
    seriesFor: latencySeriesFor,
    yTitle: 'latency (ms)',
    kind: 'number',
    unitLabel: 'ms',
    colors: ['#54aeff', '#0969da', '#8250df'],
    bands: m.bands,
  }));
}

/** Throughput and the load shape (top), error rate with its SLO (bottom), on one time axis. */
export function throughputSpec(m: ReportModel): TopLevelSpec | undefined {
  const rows = m.client.throughput;
  if (rows.length === 0) return undefined;
  const hasTarget = rows.some((r) => r.targetRatePerS !== undefined);
  const load = rows.map((r) => ({ tMs: r.tMs, series: hasTarget ? 'target rate (/s)' : 'VUs', value: hasTarget ? (r.targetRatePerS ?? 0) : r.vus }));
  const reqs = rows.map((r) => ({ tMs: r.tMs, series: 'requests/s', value: r.reqPerS }));
  const top: ConcatChild = {
    width: CHART_WIDTH,
    height: 170,
    layer: [
      { layer: linePanelLayers({ rows: reqs, thresholds: [], yTitle: 'requests/s', kind: 'number', colors: [COLORS.series[0]], bands: m.bands, xTitle: null }) },
      {
        data: { values: load },
        mark: { type: 'line', strokeDash: [4, 3], strokeWidth: 1.4, color: '#57606a', interpolate: 'step-after' },
        encoding: { x: timeX(null), y: { field: 'value', type: 'quantitative', title: hasTarget ? 'target rate (/s)' : 'VUs', axis: { orient: 'right' } } },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
  const errors = rows.map((r) => ({ tMs: r.tMs, series: 'error rate', value: r.errorRate }));
  const bottom: ConcatChild = {
    width: CHART_WIDTH,
    height: 110,
    layer: linePanelLayers({
      rows: errors,
      thresholds: thresholdsFor(m.verdict, 'http_req_failed'),
      phased: phaseThresholdsFor(m.verdict, 'http_req_failed'),
      seriesFor: () => 'error rate',
      yTitle: 'error rate',
      kind: 'ratio',
      colors: [COLORS.fail],
      mark: 'area',
      bands: m.bands,
    }),
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Throughput, errors and load (${hasTarget ? 'target arrival rate' : 'VUs'} dashed)`,
    config: CONFIG,
    vconcat: [top, bottom],
    spacing: 8,
    resolve: { scale: { x: 'shared', color: 'independent' } },
  } as TopLevelSpec;
}
