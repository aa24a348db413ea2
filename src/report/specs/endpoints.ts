// Per-endpoint charts: p95/p99 bars coloured by their SLO, and the HdrHistogram percentile spectrum (log x).

import type { TopLevelSpec } from 'vega-lite';
import type { VerdictEntry } from '../../results/format.ts';
import type { ReportModel } from '../model.ts';
import { breaches, CHART_WIDTH, COLORS, CONFIG, normalAggregation, ruleLayers, limitLabel, thresholdsFor, type LayerChild } from './common.ts';

/** The threshold on `http_req_duration{name:<endpoint>}` at a percentile, if any. */
export function endpointThreshold(verdict: ReportModel['verdict'], name: string, aggregation: string): VerdictEntry | undefined {
  return thresholdsFor(verdict, 'http_req_duration', 'tagged').find(
    (t) => t.tags.name === name && Object.keys(t.tags).length === 1 && normalAggregation(t.aggregation) === aggregation,
  );
}

/** Rows of the endpoint bar chart: one per endpoint and percentile, with pass/fail against its own SLO. */
export function endpointBarRows(m: ReportModel): Array<{ endpoint: string; pct: string; valueMs: number; status: string; limitMs?: number }> {
  const rows: Array<{ endpoint: string; pct: string; valueMs: number; status: string; limitMs?: number }> = [];
  for (const e of m.client.endpoints) {
    for (const [pct, agg, v] of [['p95', 'p(95)', e.p95Ms], ['p99', 'p(99)', e.p99Ms]] as const) {
      if (v === null) continue;
      const t = endpointThreshold(m.verdict, e.name, agg);
      const row: { endpoint: string; pct: string; valueMs: number; status: string; limitMs?: number } = { endpoint: e.name, pct, valueMs: v, status: t ? (breaches(t, v) ? 'fail' : 'pass') : 'no endpoint SLO' };
      if (t) row.limitMs = t.limit;
      rows.push(row);
    }
  }
  return rows;
}

/** p95 and p99 per endpoint as horizontal bars, green or red against the endpoint's own SLO, limits as ticks. */
export function endpointsSpec(m: ReportModel): TopLevelSpec | undefined {
  const rows = endpointBarRows(m);
  if (rows.length === 0) return undefined;
  const names = [...new Set(rows.map((r) => r.endpoint))];
  const global = thresholdsFor(m.verdict, 'http_req_duration').filter((t) => ['p(95)', 'p(99)'].includes(normalAggregation(t.aggregation)));
  const y = { field: 'endpoint', type: 'nominal', title: null, sort: names, axis: { labelLimit: 220 } } as const;
  const layer: LayerChild[] = [
    {
      data: { values: rows },
      mark: { type: 'bar', height: { band: 0.4 } },
      encoding: {
        y,
        yOffset: { field: 'pct', type: 'nominal', sort: ['p95', 'p99'] },
        x: { field: 'valueMs', type: 'quantitative', title: 'latency (ms)' },
        color: { field: 'status', type: 'nominal', title: 'against its SLO', scale: { domain: ['pass', 'fail', 'no endpoint SLO'], range: [COLORS.pass, COLORS.fail, '#8c959f'] } },
        opacity: { field: 'pct', type: 'ordinal', title: 'percentile', scale: { domain: ['p95', 'p99'], range: [0.55, 1] } },
      },
    },
    {
      data: { values: rows.filter((r) => r.limitMs !== undefined) },
      mark: { type: 'tick', color: '#24292f', thickness: 2 },
      encoding: { y, yOffset: { field: 'pct', type: 'nominal', sort: ['p95', 'p99'] }, x: { field: 'limitMs', type: 'quantitative' } },
    },
  ];
  for (const t of global) {
    layer.push({
      data: { values: [{ limitMs: t.limit, label: `all requests ${limitLabel(t, 1, 'ms')}` }] },
      mark: { type: 'rule', strokeDash: [6, 4], color: t.pass ? COLORS.pass : COLORS.fail },
      encoding: { x: { field: 'limitMs', type: 'quantitative' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'p95 and p99 per endpoint (black ticks: the endpoint SLO; dashed: the SLO over all requests)',
    width: CHART_WIDTH - 220,
    height: { step: 34 },
    config: CONFIG,
    layer,
  } as TopLevelSpec;
}

/** The percentile spectrum per endpoint: latency against percentile, x = 1/(1-p) on a log scale. */
export function spectrumSpec(m: ReportModel): TopLevelSpec | undefined {
  const rows = m.client.spectrum;
  if (rows.length === 0) return undefined;
  const names = [...new Set(rows.map((r) => r.name))];
  const maxX = Math.max(10, ...rows.map((r) => r.x));
  const ticks = [1, 10, 100, 1000, 10000, 100000].filter((v) => v <= maxX * 1.0001);
  const rules = thresholdsFor(m.verdict, 'http_req_duration')
    .filter((t) => ['p(95)', 'p(99)', 'p(99.9)'].includes(normalAggregation(t.aggregation)))
    .map((t) => ({ value: t.limit, label: limitLabel(t, 1, 'ms'), pass: t.pass }));
  const layer: LayerChild[] = [
    {
      data: { values: rows },
      mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.6 },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: { type: 'log', domain: [1, maxX] }, title: 'percentile', axis: { values: ticks, labelExpr: "datum.value <= 1 ? '0%' : format(100 - 100 / datum.value, '.3~f') + '%'" } },
        y: { field: 'latencyMs', type: 'quantitative', title: 'latency (ms)' },
        color: { field: 'name', type: 'nominal', title: null, sort: names, scale: { domain: names, range: [...COLORS.series] } },
      },
    },
    ...ruleLayers(rules),
  ];
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: 'Latency by percentile (HdrHistogram spectrum)', width: CHART_WIDTH, height: 240, config: CONFIG, layer } as TopLevelSpec;
}
