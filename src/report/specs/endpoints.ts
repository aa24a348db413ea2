// Per-endpoint charts: p95/p99 bars coloured by their SLO, and the HdrHistogram percentile spectrum (log x).

import type { TopLevelSpec } from 'vega-lite';
import type { VerdictEntry } from '../../results/format.ts';
import type { ReportModel } from '../model.ts';
import { fmtUnit } from '../format-values.ts';
import { CHART_WIDTH, COLORS, CONFIG, normalAggregation, ruleLayers, limitLabel, thresholdsFor, type LayerChild } from './common.ts';

/** The thresholds on `http_req_duration{name:<endpoint>}` (alone or with a phase) at a percentile. */
export function endpointThresholds(verdict: ReportModel['verdict'], name: string, aggregation: string): VerdictEntry[] {
  return thresholdsFor(verdict, 'http_req_duration', 'tagged').filter(
    (t) => t.tags.name === name && Object.keys(t.tags).every((k) => k === 'name' || k === 'phase') && normalAggregation(t.aggregation) === aggregation,
  );
}

/** One bar of the endpoint chart: an endpoint's percentile over the run, coloured by its own SLOs' result. */
export interface EndpointBar {
  endpoint: string;
  pct: 'p95' | 'p99';
  valueMs: number;
  status: 'pass' | 'fail' | 'no endpoint SLO';
  label: string;
}

/** One SLO limit of an endpoint: a tick at the limit on its bar, labelled with its scope and result. */
export interface EndpointTick {
  endpoint: string;
  pct: 'p95' | 'p99';
  limitMs: number;
  observedMs: number | null;
  pass: boolean;
  label: string;
}

/** Bars and ticks of the endpoint chart: a bar is red when any SLO of its endpoint and percentile failed (as verdict.json judged it, phase included). */
export function endpointBarRows(m: ReportModel): { bars: EndpointBar[]; ticks: EndpointTick[] } {
  const bars: EndpointBar[] = [];
  const ticks: EndpointTick[] = [];
  for (const e of m.client.endpoints) {
    for (const [pct, agg, v] of [['p95', 'p(95)', e.p95Ms], ['p99', 'p(99)', e.p99Ms]] as const) {
      if (v === null) continue;
      const ts = endpointThresholds(m.verdict, e.name, agg);
      const status = ts.length === 0 ? 'no endpoint SLO' : ts.every((t) => t.pass) ? 'pass' : 'fail';
      const slos: string[] = [];
      for (const t of [...ts].sort((a, b) => Number(a.pass) - Number(b.pass))) {
        const during = t.tags.phase === undefined ? '' : ` in ${t.tags.phase}`;
        const label = `SLO ${t.operator} ${fmtUnit(t.limit, 'ms')}${during}: ${fmtUnit(t.observed, 'ms')} ${t.pass ? '✔' : '✘'}`;
        ticks.push({ endpoint: e.name, pct, limitMs: t.limit, observedMs: t.observed, pass: t.pass, label });
        slos.push(label);
      }
      bars.push({ endpoint: e.name, pct, valueMs: v, status, label: [`${pct} ${fmtUnit(v, 'ms')}`, ...slos].join(' · ') });
    }
  }
  return { bars, ticks };
}

/** p95 and p99 per endpoint as horizontal bars, green or red by the endpoint's own SLOs, their limits as black ticks. */
export function endpointsSpec(m: ReportModel): TopLevelSpec | undefined {
  const { bars, ticks } = endpointBarRows(m);
  if (bars.length === 0) return undefined;
  const names = [...new Set(bars.map((r) => r.endpoint))];
  const global = thresholdsFor(m.verdict, 'http_req_duration').filter((t) => ['p(95)', 'p(99)'].includes(normalAggregation(t.aggregation)));
  const y = { field: 'endpoint', type: 'nominal', title: null, sort: names, axis: { labelLimit: 220 } } as const;
  const yOffset = { field: 'pct', type: 'nominal', sort: ['p95', 'p99'] } as const;
  const x = { field: 'valueMs', type: 'quantitative', title: 'latency over the whole run (ms)' } as const;
  const layer: LayerChild[] = [
    {
      data: { values: bars },
      mark: { type: 'bar', height: { band: 0.8 } },
      encoding: { y, yOffset, x, color: { field: 'status', type: 'nominal', title: 'endpoint SLO', scale: { domain: ['pass', 'fail', 'no endpoint SLO'], range: [COLORS.pass, COLORS.fail, '#afb8c1'] } } },
    },
  ];
  for (const failed of [false, true]) {
    const values = bars.filter((r) => (r.status === 'fail') === failed);
    if (values.length === 0) continue;
    const mark = { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 10, fontWeight: failed ? 600 : 400, color: failed ? COLORS.fail : '#24292f' } as const;
    layer.push({ data: { values }, mark, encoding: { y, yOffset, x, text: { field: 'label', type: 'nominal' } } });
  }
  if (ticks.length > 0) layer.push({ data: { values: ticks }, mark: { type: 'tick', color: '#24292f', thickness: 3 }, encoding: { y, yOffset, x: { field: 'limitMs', type: 'quantitative' } } });
  for (const t of global) {
    layer.push({
      data: { values: [{ limitMs: t.limit, label: `all requests ${limitLabel(t, 1, 'ms')}` }] },
      mark: { type: 'rule', strokeDash: [6, 4], color: t.pass ? COLORS.pass : COLORS.fail },
      encoding: { x: { field: 'limitMs', type: 'quantitative' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'p95 and p99 per endpoint (black ticks: the endpoint\'s SLO limits; dashed: the SLO over all requests)',
    width: CHART_WIDTH - 220,
    height: { step: 44 },
    config: CONFIG,
    layer,
    resolve: { scale: { color: 'independent' } },
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
