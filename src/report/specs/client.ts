// Client-side time charts: latency percentiles over time, and throughput with errors and the load shape.

import type { TopLevelSpec } from 'vega-lite';
import type { VerdictEntry } from '../../results/format.ts';
import type { ReportModel } from '../model.ts';
import { CHART_WIDTH, COLORS, CONFIG, normalAggregation, phaseThresholdsFor, thresholdsFor, timeX, type ConcatChild } from './common.ts';
import { layered } from './common.ts';
import { linePanelLayers } from './lines.ts';

const LATENCY_SERIES: Record<string, string> = { 'p(50)': 'p50', 'p(95)': 'p95', 'p(99)': 'p99' };

/** The latency series a latency threshold is checked against (p50, p95, p99), if any. */
export function latencySeriesFor(t: VerdictEntry): string | undefined {
  return LATENCY_SERIES[normalAggregation(t.aggregation)];
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
