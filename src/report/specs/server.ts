// Server-side time charts: DB pool and waiting clients, query p95, PostgreSQL connections, cache and Redis memory,
// host CPU with the generator's own health.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import type { ServerRow } from '../server-series.ts';
import { CHART_WIDTH, COLORS, CONFIG, layered, normalAggregation, phaseThresholdsFor, thresholdsFor, type ConcatChild } from './common.ts';
import { linePanelLayers } from './lines.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Pool utilisation (left axis, %) and clients waiting for a connection (right axis). */
export function dbPoolSpec(m: ReportModel): TopLevelSpec | undefined {
  const { poolUtilization: util, poolWaiting: waiting } = m.server;
  if (util.length === 0 && waiting.length === 0) return undefined;
  const layer = [];
  if (util.length > 0) {
    layer.push({ layer: linePanelLayers({ rows: util, thresholds: thresholdsFor(m.verdict, 'db_pool_utilization'), phased: phaseThresholdsFor(m.verdict, 'db_pool_utilization'), seriesFor: () => 'pool utilisation', yTitle: 'pool utilisation', kind: 'ratio', colors: [COLORS.series[0]], bands: m.bands }) });
  }
  if (waiting.length > 0) {
    layer.push({ layer: linePanelLayers({ rows: waiting, thresholds: thresholdsFor(m.verdict, 'db_pool_waiting'), phased: phaseThresholdsFor(m.verdict, 'db_pool_waiting'), seriesFor: () => 'waiting clients', yTitle: 'waiting clients', kind: 'number', colors: [COLORS.series[2]], bands: util.length > 0 ? [] : m.bands }) });
  }
  return layered('Database pool: utilisation and waiting clients', 200, layer as never, { resolve: { scale: { y: 'independent', color: 'independent' } } });
}

/** Database query p95 over time with its SLO. */
export function dbQuerySpec(m: ReportModel): TopLevelSpec | undefined {
  if (m.server.queryP95.length === 0) return undefined;
  const thresholds = thresholdsFor(m.verdict, 'db_query_duration').filter((t) => normalAggregation(t.aggregation) === 'p(95)');
  const phased = phaseThresholdsFor(m.verdict, 'db_query_duration').filter((t) => normalAggregation(t.aggregation) === 'p(95)');
  return layered('Database query p95', 180, linePanelLayers({ rows: m.server.queryP95, thresholds, phased, seriesFor: () => 'query p95', yTitle: 'query p95 (ms)', kind: 'number', unitLabel: 'ms', colors: [COLORS.series[1]], bands: m.bands }));
}

/** PostgreSQL server connections by state, stacked. */
export function pgConnectionsSpec(m: ReportModel): TopLevelSpec | undefined {
  if (m.server.pgConnections.length === 0) return undefined;
  return layered('PostgreSQL connections by state', 180, linePanelLayers({ rows: m.server.pgConnections, thresholds: [], yTitle: 'connections', kind: 'number', mark: 'area', bands: m.bands }));
}

/** Redis cache hit ratio and memory utilisation, both in percent, with their SLOs. */
export function cacheSpec(m: ReportModel): TopLevelSpec | undefined {
  const rows: ServerRow[] = [...m.server.cacheHitRatio, ...m.server.redisMemory];
  if (rows.length === 0) return undefined;
  const thresholds = [...thresholdsFor(m.verdict, 'cache_hit_ratio'), ...thresholdsFor(m.verdict, 'redis_memory_utilization')];
  const names = [...new Set(rows.map((r) => r.series))];
  return layered('Cache: hit ratio and Redis memory', 180, linePanelLayers({
    rows,
    thresholds,
    phased: [...phaseThresholdsFor(m.verdict, 'cache_hit_ratio'), ...phaseThresholdsFor(m.verdict, 'redis_memory_utilization')],
    seriesFor: (t) => (t.metric === 'cache_hit_ratio' ? 'cache hit ratio' : 'Redis memory'),
    yTitle: 'percent',
    kind: 'ratio',
    colors: names.map((n) => (n === 'cache hit ratio' ? COLORS.series[3] : COLORS.series[4])),
    bands: m.bands,
  }));
}

/** Host, service and generator CPU (top, percent) and the generator's event-loop lag (bottom, ms). */
export function hostSpec(m: ReportModel): TopLevelSpec | undefined {
  const gen = m.server.generatorCpu.length > 0 ? m.server.generatorCpu : m.client.generator.map((g) => ({ tMs: g.tMs, series: 'generator CPU', value: g.cpu }));
  const lag = m.server.generatorLoopLag.length > 0 ? m.server.generatorLoopLag : m.client.generator.map((g) => ({ tMs: g.tMs, series: 'generator loop lag', value: g.loopLagMs }));
  const cpu = [...m.server.hostCpu, ...m.server.serviceCpu, ...gen.map((g) => ({ ...g, series: 'generator CPU (of one core)' }))];
  if (m.server.hostCpu.length === 0 && gen.length === 0) return undefined;
  const panels: ConcatChild[] = [
    { width: CHART_WIDTH, height: 150, layer: linePanelLayers({ rows: cpu, thresholds: [...thresholdsFor(m.verdict, 'host_cpu_utilization'), ...thresholdsFor(m.verdict, 'service_cpu_utilization')], phased: [...phaseThresholdsFor(m.verdict, 'host_cpu_utilization'), ...phaseThresholdsFor(m.verdict, 'service_cpu_utilization')], seriesFor: (t) => (t.metric === 'service_cpu_utilization' ? 'service CPU' : 'host CPU'), yTitle: 'CPU', kind: 'ratio', bands: m.bands, xTitle: lag.length > 0 ? null : undefined }) },
  ];
  if (lag.length > 0) {
    panels.push({ width: CHART_WIDTH, height: 100, layer: linePanelLayers({ rows: lag.map((l) => ({ ...l, series: 'generator loop lag' })), thresholds: thresholdsFor(m.verdict, 'generator_event_loop_lag'), phased: phaseThresholdsFor(m.verdict, 'generator_event_loop_lag'), seriesFor: () => 'generator loop lag', yTitle: 'loop lag p99 (ms)', kind: 'number', unitLabel: 'ms', colors: [COLORS.series[5]], bands: m.bands }) });
  }
  return { $schema: SCHEMA, title: 'Host CPU and load-generator health', config: CONFIG, vconcat: panels, resolve: { scale: { x: 'shared', color: 'independent' } } } as TopLevelSpec;
}
