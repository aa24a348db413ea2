// The report's chart list: every chart in page order, with its spec, or a short note when its data is missing.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import { latencyCaption, latencySpec, throughputSpec } from './client.ts';
import { endpointsSpec, spectrumSpec } from './endpoints.ts';
import { cacheSpec, dbPoolSpec, dbQuerySpec, hostSpec, pgConnectionsSpec } from './server.ts';
import { causeSpec } from './cause.ts';

/** Chart ids; each is also the SVG file name under charts/. */
export const CHART_IDS = ['latency', 'throughput', 'endpoints', 'spectrum', 'cause', 'db-pool', 'db-query', 'pg-connections', 'cache', 'host'] as const;

/** A chart id. */
export type ChartId = (typeof CHART_IDS)[number];

/** One chart of the report: a spec to draw, or the note that replaces it. */
export interface ChartEntry {
  id: ChartId;
  title: string;
  spec?: TopLevelSpec;
  note?: string;
  /** What a reader must know to read the chart right (e.g. a series drawn over wider windows), shown under its title. */
  caption?: string;
}

const BUILDERS: Record<ChartId, { title: string; build: (m: ReportModel) => TopLevelSpec | undefined; missing: string; caption?: (m: ReportModel) => string | undefined }> = {
  latency: { title: 'Latency over time', build: latencySpec, missing: 'no requests were recorded', caption: latencyCaption },
  throughput: { title: 'Throughput, errors and load', build: throughputSpec, missing: 'no intervals were recorded' },
  endpoints: { title: 'Latency per endpoint', build: endpointsSpec, missing: 'no requests were recorded' },
  spectrum: { title: 'Latency percentile spectrum', build: spectrumSpec, missing: 'no requests were recorded' },
  cause: { title: 'Latency and its likely causes', build: causeSpec, missing: 'needs client latency and the pool or cache collector' },
  'db-pool': { title: 'Database pool', build: dbPoolSpec, missing: "no pool metrics (the prometheus collector did not report db_pool_utilization or db_pool_waiting)" },
  'db-query': { title: 'Database query latency', build: dbQuerySpec, missing: 'no db_query_duration samples' },
  'pg-connections': { title: 'PostgreSQL connections', build: pgConnectionsSpec, missing: 'no postgres collector data (pg_connections)' },
  cache: { title: 'Cache and Redis memory', build: cacheSpec, missing: 'no redis collector data (cache_hit_ratio, redis_memory_utilization)' },
  host: { title: 'Host and load generator', build: hostSpec, missing: 'no host or generator samples' },
};

/** Builds every chart of the report in page order; charts without data carry a note instead of a spec. */
export function buildCharts(m: ReportModel): ChartEntry[] {
  return CHART_IDS.map((id) => {
    const b = BUILDERS[id];
    const spec = b.build(m);
    if (!spec) return { id, title: b.title, note: b.missing };
    const caption = b.caption?.(m);
    return caption ? { id, title: b.title, spec, caption } : { id, title: b.title, spec };
  });
}
