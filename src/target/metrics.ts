// The service's Prometheus metrics (prom-client). Names are read by perfgate's collectors: do not rename them.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** HTTP latency bucket edges in seconds; 0.05, 0.1, 0.2 and 0.5 are the SLO edges. */
export const HTTP_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10];
/** Database query bucket edges in seconds. */
export const DB_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The caches the service keeps (the `cache` label). */
export const CACHE_NAMES = ['companies', 'company', 'leaderboard', 'quote'] as const;

/** Breaker states as the gauge reports them. */
export const BREAKER_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

/** Reads the pool's counters when /metrics is scraped. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** Every metric the service exports, on its own registry. */
export interface TargetMetrics {
  registry: Registry;
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  dbQueryDuration: Histogram<'query'>;
  cacheHits: Counter<'cache'>;
  cacheMisses: Counter<'cache'>;
  cacheErrors: Counter<'cache'>;
  breakerState: Gauge;
  rateLimited: Counter<'tier'>;
  rateLimiterDegraded: Counter<'policy'>;
  /** Authenticated API calls by client (the token's client id); the business board's calls per client. */
  clientRequests: Counter<'client'>;
  /** Reports written (POST /api/v1/reports answered 201), and their body bytes: the ingestion volume. */
  reportsIngested: Counter;
  reportBytesIngested: Counter;
}

/** Creates the registry, the default process metrics, and the service metrics; pool gauges read `poolStats`. */
export function createMetrics(poolStats: () => PoolStats): TargetMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const poolGauge = (name: string, help: string, pick: (s: PoolStats) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(pick(poolStats()));
      },
    });
  };
  poolGauge('db_pool_total', 'Connections open in the pool (busy and idle).', (s) => s.total);
  poolGauge('db_pool_idle', 'Idle connections in the pool.', (s) => s.idle);
  poolGauge('db_pool_waiting', 'Requests waiting for a pool connection.', (s) => s.waiting);
  poolGauge('db_pool_max', 'The pool size limit.', (s) => s.max);
  const metrics: TargetMetrics = {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: HTTP_BUCKETS_S,
      registers: [registry],
    }),
    dbQueryDuration: new Histogram({
      name: 'db_query_duration_seconds',
      help: 'Database query duration by query name (pool wait included).',
      labelNames: ['query'],
      buckets: DB_BUCKETS_S,
      registers: [registry],
    }),
    cacheHits: new Counter({ name: 'cache_hits_total', help: 'Cache hits.', labelNames: ['cache'], registers: [registry] }),
    cacheMisses: new Counter({ name: 'cache_misses_total', help: 'Cache misses.', labelNames: ['cache'], registers: [registry] }),
    cacheErrors: new Counter({
      name: 'cache_errors_total',
      help: 'Cache operations that failed (Redis unreachable or slow).',
      labelNames: ['cache'],
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'circuit_breaker_state',
      help: 'Upstream circuit breaker: 0 closed, 1 half-open, 2 open (max over workers).',
      registers: [registry],
      aggregator: 'max',
    }),
    rateLimited: new Counter({
      name: 'rate_limited_total',
      help: 'Requests refused by the rate limiter.',
      labelNames: ['tier'],
      registers: [registry],
    }),
    rateLimiterDegraded: new Counter({
      name: 'rate_limiter_degraded_total',
      help: 'Requests decided by the fail policy because Redis did not answer.',
      labelNames: ['policy'],
      registers: [registry],
    }),
    clientRequests: new Counter({ name: 'api_client_requests_total', help: 'Authenticated API calls by client id.', labelNames: ['client'], registers: [registry] }),
    reportsIngested: new Counter({ name: 'reports_ingested_total', help: 'Reports written.', registers: [registry] }),
    reportBytesIngested: new Counter({ name: 'reports_ingested_bytes_total', help: 'Request body bytes of the reports written.', registers: [registry] }),
  };
  // Series exist from the start (at 0), so a collector sees them before the first hit, miss or refusal.
  for (const cache of CACHE_NAMES) {
    metrics.cacheHits.inc({ cache }, 0);
    metrics.cacheMisses.inc({ cache }, 0);
  }
  for (const tier of ['standard', 'load']) metrics.rateLimited.inc({ tier }, 0);
  return metrics;
}
