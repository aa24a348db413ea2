// The "cause" view: client p95, pool utilisation and cache hit ratio stacked on one shared time axis, so a latency
// knee can be read next to its cause.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import { CHART_WIDTH, COLORS, CONFIG, normalAggregation, thresholdsFor, type ConcatChild } from './common.ts';
import { linePanelLayers } from './lines.ts';

/** The stacked cause view; undefined unless client latency and at least one server series exist. */
export function causeSpec(m: ReportModel): TopLevelSpec | undefined {
  const p95 = m.client.latency.filter((r) => r.series === 'p95').map((r) => ({ tMs: r.tMs, series: 'client p95', value: r.valueMs }));
  const pool = m.server.poolUtilization;
  const cache = m.server.cacheHitRatio;
  if (p95.length === 0 || (pool.length === 0 && cache.length === 0)) return undefined;
  const panels: ConcatChild[] = [];
  const count = 1 + (pool.length > 0 ? 1 : 0) + (cache.length > 0 ? 1 : 0);
  const xTitle = (i: number): string | null | undefined => (i === count - 1 ? undefined : null);
  panels.push({
    width: CHART_WIDTH,
    height: 130,
    layer: linePanelLayers({
      rows: p95,
      thresholds: thresholdsFor(m.verdict, 'http_req_duration').filter((t) => normalAggregation(t.aggregation) === 'p(95)'),
      seriesFor: () => 'client p95',
      yTitle: 'client p95 (ms)',
      kind: 'number',
      unitLabel: 'ms',
      colors: [COLORS.series[0]],
      bands: m.bands,
      xTitle: xTitle(0),
    }),
  });
  if (pool.length > 0) {
    panels.push({ width: CHART_WIDTH, height: 100, layer: linePanelLayers({ rows: pool, thresholds: thresholdsFor(m.verdict, 'db_pool_utilization'), seriesFor: () => 'pool utilisation', yTitle: 'pool utilisation', kind: 'ratio', colors: [COLORS.series[1]], bands: m.bands, xTitle: xTitle(1) }) });
  }
  if (cache.length > 0) {
    panels.push({ width: CHART_WIDTH, height: 100, layer: linePanelLayers({ rows: cache, thresholds: thresholdsFor(m.verdict, 'cache_hit_ratio'), seriesFor: () => 'cache hit ratio', yTitle: 'cache hit ratio', kind: 'ratio', colors: [COLORS.series[3]], bands: m.bands, xTitle: xTitle(panels.length) }) });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Cause: client latency next to the database pool and the cache',
    config: CONFIG,
    vconcat: panels,
    spacing: 8,
    resolve: { scale: { x: 'shared', color: 'independent' } },
  } as TopLevelSpec;
}
