// The four Grafana boards of the plan (API overview, database, infrastructure, business) as dashboard JSON, and the
// provisioning files that load them with a Prometheus data source. Every panel's query reads the series the reference
// target and the harness expose (src/target/metrics.ts, src/run/harness-metrics.ts), or the usual exporters' with
// the harness' reading as the fallback, so the boards work on the lab's Prometheus as on a team's. Pure: JSON out,
// typed against Grafana's published dashboard schema (@grafana/schema).

import type { Dashboard, Panel } from '@grafana/schema';
import { DB_HISTOGRAM, FAILED_STATUS, HTTP_HISTOGRAM } from './promql.ts';

/** One query of a panel: PromQL (Grafana's `$__rate_interval` for rate windows) and its legend. */
export interface BoardQuery {
  expr: string;
  legend: string;
}

/** One panel: its title, what it shows, Grafana's unit, and its queries. */
export interface BoardPanel {
  title: string;
  description: string;
  unit: string;
  queries: BoardQuery[];
}

/** One board: its uid (file name), title and panels. */
export interface Board {
  uid: string;
  title: string;
  description: string;
  panels: BoardPanel[];
}

const W = '$__rate_interval';
const rate = (series: string, by = ''): string => `sum${by ? ` by (${by})` : ''}(rate(${series}[${W}]))`;
const quantile = (q: number, hist: string, by = 'le'): string => `histogram_quantile(${q}, sum by (${by}) (rate(${hist}_bucket[${W}])))`;

/** The plan's four boards. */
export const BOARDS: readonly Board[] = [
  {
    uid: 'perfgate-api',
    title: 'perfgate: API overview',
    description: 'Request rate, latency percentiles, error rate and active connections of the service.',
    panels: [
      { title: 'Request rate', description: 'Requests per second by route template.', unit: 'reqps', queries: [{ expr: rate(`${HTTP_HISTOGRAM}_count`, 'route'), legend: '{{route}}' }] },
      {
        title: 'Latency percentiles',
        description: 'p50, p95 and p99 of the service-side request duration (the SLO limits 50, 100, 200 and 500 ms are bucket edges).',
        unit: 's',
        queries: [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, HTTP_HISTOGRAM), legend: `p${q * 100}` })),
      },
      {
        title: 'Error rate',
        description: 'Share of requests answered 5xx (the availability SLO: below 0.1%).',
        unit: 'percentunit',
        queries: [{ expr: `(${rate(`${HTTP_HISTOGRAM}_count{status=~"${FAILED_STATUS}"}`)} or vector(0)) / ${rate(`${HTTP_HISTOGRAM}_count`)}`, legend: '5xx share' }],
      },
      {
        title: 'Active connections',
        description: "Open sockets of the service's processes (clients, database and Redis), and the load generator's active virtual users during a perfgate run.",
        unit: 'short',
        queries: [
          { expr: 'sum(nodejs_active_handles{type="Socket"})', legend: 'service sockets' },
          { expr: 'max(perfgate_vus)', legend: 'perfgate virtual users' },
        ],
      },
    ],
  },
  {
    uid: 'perfgate-database',
    title: 'perfgate: database',
    description: 'Connection pool, query duration, slow queries and lock waits.',
    panels: [
      {
        title: 'Pool usage',
        description: 'Busy connections over the pool size (the database SLO: below 70%), and requests waiting for a connection.',
        unit: 'percentunit',
        queries: [
          { expr: '(sum(db_pool_total) - sum(db_pool_idle)) / sum(db_pool_max)', legend: 'utilisation' },
          { expr: 'sum(db_pool_waiting)', legend: 'waiting' },
        ],
      },
      { title: 'Query duration p95', description: 'p95 of query duration by query name (pool wait included; the SLO: below 50 ms).', unit: 's', queries: [{ expr: quantile(0.95, DB_HISTOGRAM, 'le, query'), legend: '{{query}}' }] },
      {
        title: 'Slow queries',
        description: 'Queries per second slower than the 50 ms SLO limit (a bucket edge).',
        unit: 'ops',
        queries: [{ expr: `${rate(`${DB_HISTOGRAM}_count`)} - ${rate(`${DB_HISTOGRAM}_bucket{le="0.05"}`)}`, legend: 'slower than 50 ms' }],
      },
      {
        title: 'Lock waits',
        description: "Sessions waiting on a lock (pg_locks not granted), read by perfgate's PostgreSQL collector during a run; in production, the same query through postgres_exporter.",
        unit: 'short',
        queries: [{ expr: 'max(perfgate_pg_lock_waiting)', legend: 'waiting on a lock' }],
      },
    ],
  },
  {
    uid: 'perfgate-infrastructure',
    title: 'perfgate: infrastructure',
    description: 'CPU, memory, disk and restarts of the host and the service.',
    panels: [
      {
        title: 'CPU',
        description: "Host CPU busy share (node_exporter, else perfgate's host collector), and the service's processes in cores.",
        unit: 'percentunit',
        queries: [
          { expr: `(1 - avg(rate(node_cpu_seconds_total{mode="idle"}[${W}]))) or max(perfgate_host_cpu_utilization)`, legend: 'host' },
          { expr: rate('process_cpu_seconds_total{job="target"}'), legend: 'service (cores)' },
        ],
      },
      {
        title: 'Memory',
        description: "Host memory in use (node_exporter, else perfgate's host collector), and Redis memory over its maxmemory.",
        unit: 'percentunit',
        queries: [
          { expr: '(1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes)) or max(perfgate_host_memory_utilization)', legend: 'host' },
          { expr: '(sum(redis_memory_used_bytes) / sum(redis_memory_max_bytes > 0)) or max(perfgate_redis_memory_utilization)', legend: 'Redis' },
        ],
      },
      {
        title: 'Disk',
        description: "Used share of the root file system (node_exporter), else of the harness' working folder during a run.",
        unit: 'percentunit',
        queries: [{ expr: '(1 - max(node_filesystem_avail_bytes{mountpoint="/"}) / max(node_filesystem_size_bytes{mountpoint="/"})) or max(perfgate_host_disk_utilization)', legend: 'disk used' }],
      },
      {
        title: 'Restarts',
        description: "Service restarts over the last hour: resets of its CPU counter (a replaced worker starts from zero), and failed scrapes.",
        unit: 'short',
        queries: [
          { expr: 'sum(resets(process_cpu_seconds_total{job="target"}[1h]))', legend: 'worker restarts' },
          { expr: 'sum(changes(up{job="target"}[1h]))', legend: 'scrape up/down changes' },
        ],
      },
    ],
  },
  {
    uid: 'perfgate-business',
    title: 'perfgate: business',
    description: 'API calls per client and ingestion volume.',
    panels: [
      { title: 'API calls per client', description: 'Authenticated calls per second by client id.', unit: 'reqps', queries: [{ expr: rate('api_client_requests_total', 'client'), legend: '{{client}}' }] },
      {
        title: 'Ingestion volume',
        description: 'Reports written per second, and their bytes per second.',
        unit: 'short',
        queries: [
          { expr: rate('reports_ingested_total'), legend: 'reports/s' },
          { expr: rate('reports_ingested_bytes_total'), legend: 'bytes/s' },
        ],
      },
    ],
  },
];

/** The data source every panel names: the dashboard's `datasource` variable. */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** A board's panel as a Grafana time series panel, two to a row. */
function panelJson(p: BoardPanel, i: number): Panel {
  return {
    id: i + 1,
    type: 'timeseries',
    title: p.title,
    description: p.description,
    datasource: DATASOURCE,
    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
    targets: p.queries.map((q, k) => ({ refId: String.fromCharCode(65 + k), datasource: DATASOURCE, expr: q.expr, legendFormat: q.legend, range: true })),
  };
}

/** A board as a dashboard (schema version 39), with a Prometheus data source variable. */
export function dashboardJson(b: Board): Dashboard {
  return {
    uid: b.uid,
    title: b.title,
    description: b.description,
    tags: ['perfgate'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    timezone: 'browser',
    annotations: { list: [] },
    templating: { list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', hide: 0, refresh: 1 }] },
    panels: b.panels.map(panelJson),
  };
}

/** Every panel query of the boards, with where it is (for tests and reviews). */
export function boardQueries(boards: readonly Board[] = BOARDS): Array<{ board: string; panel: string; legend: string; expr: string }> {
  return boards.flatMap((b) => b.panels.flatMap((p) => p.queries.map((q) => ({ board: b.uid, panel: p.title, legend: q.legend, expr: q.expr }))));
}

/** The provisioning files: a Prometheus data source (URL from PROMETHEUS_URL) and a file provider for the boards. */
export function provisioningFiles(dashboardsPath: string): Record<string, string> {
  const header = '# Grafana provisioning written by perfgate export grafana. Copy into Grafana\'s provisioning folder.\n';
  return {
    'provisioning/datasources/perfgate.yml': `${header}apiVersion: 1\ndatasources:\n  - name: Prometheus (perfgate)\n    uid: perfgate-prometheus\n    type: prometheus\n    access: proxy\n    url: \${PROMETHEUS_URL}\n    isDefault: false\n    jsonData:\n      timeInterval: 1s\n`,
    'provisioning/dashboards/perfgate.yml': `${header}apiVersion: 1\nproviders:\n  - name: perfgate\n    folder: perfgate\n    type: file\n    disableDeletion: false\n    allowUiUpdates: false\n    options:\n      path: ${JSON.stringify(dashboardsPath)}\n      foldersFromFilesStructure: false\n`,
  };
}

/** Every file of the export, by path relative to the output folder: the provisioning files and dashboards/<uid>.json. */
export function grafanaExport(opts: { dashboardsPath?: string } = {}): Record<string, string> {
  const files = provisioningFiles(opts.dashboardsPath ?? '/var/lib/grafana/dashboards/perfgate');
  for (const b of BOARDS) files[`dashboards/${b.uid}.json`] = `${JSON.stringify(dashboardJson(b), null, 2)}\n`;
  return files;
}
