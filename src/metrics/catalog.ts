// The metric catalogue: every metric perfgate knows, with its k6 type and unit (see DESIGN.md "Metrics").

import type { MetricType } from '../results/format.ts';

/** What a metric is and where it comes from. */
export interface MetricInfo {
  type: MetricType;
  /** Unit of the values thresholds compare against: ms, ratio (0..1), count, bytes, per_s, state. */
  unit: 'ms' | 'ratio' | 'count' | 'bytes' | 'per_s' | 'cores' | 'state';
  side: 'client' | 'server' | 'generator';
  description: string;
}

/** Every metric name a threshold may use. Collectors may emit more; those become usable once listed here. */
export const METRICS: Record<string, MetricInfo> = {
  http_reqs: { type: 'counter', unit: 'count', side: 'client', description: 'HTTP requests sent' },
  http_req_duration: { type: 'trend', unit: 'ms', side: 'client', description: 'request latency, failures included' },
  http_req_waiting: { type: 'trend', unit: 'ms', side: 'client', description: 'time to first byte' },
  http_req_failed: { type: 'rate', unit: 'ratio', side: 'client', description: 'share of failed requests' },
  iterations: { type: 'counter', unit: 'count', side: 'client', description: 'journey iterations completed' },
  iteration_duration: { type: 'trend', unit: 'ms', side: 'client', description: 'journey iteration duration' },
  dropped_iterations: { type: 'counter', unit: 'count', side: 'client', description: 'iterations that could not start' },
  vus: { type: 'gauge', unit: 'count', side: 'client', description: 'active virtual users' },
  checks: { type: 'rate', unit: 'ratio', side: 'client', description: 'share of checks that passed' },
  data_received: { type: 'counter', unit: 'bytes', side: 'client', description: 'bytes received' },
  data_sent: { type: 'counter', unit: 'bytes', side: 'client', description: 'bytes sent' },
  sql_query_duration: { type: 'trend', unit: 'ms', side: 'client', description: 'latency of sql steps' },
  sql_query_failed: { type: 'rate', unit: 'ratio', side: 'client', description: 'share of failed sql steps' },

  db_pool_utilization: { type: 'gauge', unit: 'ratio', side: 'server', description: "(total - idle) / max of the app's pool" },
  db_pool_connections: { type: 'gauge', unit: 'count', side: 'server', description: "connections open in the app's pool, busy and idle, summed over its processes" },
  db_pool_waiting: { type: 'gauge', unit: 'count', side: 'server', description: 'clients waiting for a pool connection' },
  db_query_duration: { type: 'trend', unit: 'ms', side: 'server', description: "query latency from the target's histogram" },
  pg_connections: { type: 'gauge', unit: 'count', side: 'server', description: 'server connections by state' },
  pg_connection_utilization: { type: 'gauge', unit: 'ratio', side: 'server', description: 'server connections / max_connections' },
  pg_cache_hit_ratio: { type: 'gauge', unit: 'ratio', side: 'server', description: 'PostgreSQL buffer cache hit ratio' },
  pg_lock_waiting: { type: 'gauge', unit: 'count', side: 'server', description: 'backends waiting on a lock' },
  pg_commits: { type: 'gauge', unit: 'per_s', side: 'server', description: 'commits per second' },
  pg_rollbacks: { type: 'gauge', unit: 'per_s', side: 'server', description: 'rollbacks per second' },
  pg_deadlocks: { type: 'counter', unit: 'count', side: 'server', description: 'deadlocks' },
  pg_temp_files: { type: 'counter', unit: 'count', side: 'server', description: 'temporary files written' },
  pgbouncer_cl_active: { type: 'gauge', unit: 'count', side: 'server', description: 'PgBouncer active clients' },
  pgbouncer_cl_waiting: { type: 'gauge', unit: 'count', side: 'server', description: 'PgBouncer waiting clients' },
  pgbouncer_sv_active: { type: 'gauge', unit: 'count', side: 'server', description: 'PgBouncer active server connections' },
  pgbouncer_sv_idle: { type: 'gauge', unit: 'count', side: 'server', description: 'PgBouncer idle server connections' },
  pgbouncer_maxwait: { type: 'gauge', unit: 'ms', side: 'server', description: 'PgBouncer longest client wait' },
  pgbouncer_avg_wait: { type: 'gauge', unit: 'ms', side: 'server', description: 'PgBouncer average client wait' },
  cache_hit_ratio: { type: 'gauge', unit: 'ratio', side: 'server', description: 'Redis keyspace hits / (hits + misses)' },
  redis_memory_utilization: { type: 'gauge', unit: 'ratio', side: 'server', description: 'used_memory / maxmemory' },
  redis_evicted_keys: { type: 'counter', unit: 'count', side: 'server', description: 'keys evicted' },
  redis_connected_clients: { type: 'gauge', unit: 'count', side: 'server', description: 'Redis connected clients' },
  redis_ops: { type: 'gauge', unit: 'per_s', side: 'server', description: 'Redis operations per second' },
  target_http_req_duration: { type: 'trend', unit: 'ms', side: 'server', description: "server-side latency from the target's histogram" },
  target_event_loop_lag: { type: 'gauge', unit: 'ms', side: 'server', description: "the target's event-loop lag" },
  target_cpu: { type: 'gauge', unit: 'cores', side: 'server', description: 'target process CPU, in cores' },
  target_rss: { type: 'gauge', unit: 'bytes', side: 'server', description: 'target resident memory' },
  circuit_breaker_state: { type: 'gauge', unit: 'state', side: 'server', description: '0 closed, 1 half-open, 2 open' },
  rate_limited: { type: 'counter', unit: 'count', side: 'server', description: 'requests the rate limiter turned away' },
  host_cpu_utilization: { type: 'gauge', unit: 'ratio', side: 'server', description: 'machine CPU utilisation' },
  service_cpu_utilization: { type: 'gauge', unit: 'ratio', side: 'server', description: "the service's share of the machine's CPU, without the load generator (src/collectors/host.ts)" },
  host_memory_utilization: { type: 'gauge', unit: 'ratio', side: 'server', description: 'machine memory utilisation' },
  recovery_time: { type: 'gauge', unit: 'ms', side: 'server', description: 'time until a killed target worker was replaced (drills)' },
  db_connections_leaked: { type: 'gauge', unit: 'count', side: 'server', description: "db-network drill: server connections the app's pool does not hold (pg_connections less db_pool_connections), the fewest of the last phase above the most before the first database fault" },
  breaker_open_delay: { type: 'gauge', unit: 'ms', side: 'server', description: 'time from an upstream fault until the circuit breaker opened (drills)' },
  login_flood_requests: { type: 'gauge', unit: 'count', side: 'server', description: 'answers to the login flood, by status (auth-flood drill)' },
  login_flood_refused_ratio: { type: 'gauge', unit: 'ratio', side: 'server', description: 'share of the login flood answered 429 (auth-flood drill)' },
  login_after_flood_ok: { type: 'gauge', unit: 'state', side: 'server', description: '1 when the correct secret worked after the login flood (auth-flood drill)' },
  recovery_rto: { type: 'gauge', unit: 'ms', side: 'server', description: 'recovery drills: time from the fault to the first acknowledged write after it (pitr: until the deleted rows are back)' },
  recovery_rpo: { type: 'gauge', unit: 'ms', side: 'server', description: 'recovery drills: the time span of the acknowledged writes missing after recovery (0 when none)' },
  recovery_writes_lost: { type: 'gauge', unit: 'count', side: 'server', description: 'recovery drills: acknowledged writes missing after recovery' },
  recovery_writes_acked: { type: 'gauge', unit: 'count', side: 'server', description: "recovery drills: writes the API acknowledged to the drill's ledger" },
  recovery_restore_ok: { type: 'gauge', unit: 'state', side: 'server', description: 'recovery drills: 1 when the restore ran to its end and the database came back' },
  recovery_integrity_ok: { type: 'gauge', unit: 'state', side: 'server', description: 'recovery drills: 1 when every integrity check passed (pg_amcheck, pgbackrest verify, rows restored)' },
  recovery_restore_mb_per_s: { type: 'gauge', unit: 'per_s', side: 'server', description: 'recovery drills: restore throughput, MB of database per second (to extrapolate to a larger database)' },
  recovery_rows_missing: { type: 'gauge', unit: 'count', side: 'server', description: 'pitr drill: rows from before the accident still missing after the copy back' },
  recovery_service_gap: { type: 'gauge', unit: 'ms', side: 'server', description: 'pitr drill: time from the accident to the next acknowledged write (the service kept serving)' },
  recovery_promoted: { type: 'gauge', unit: 'state', side: 'server', description: 'failover drill: 1 when the standby was promoted' },
  recovery_old_primary_writable: { type: 'gauge', unit: 'state', side: 'server', description: 'failover drill: 1 when the old primary, started again, accepted a write (split brain)' },
  recovery_replication_lag_bytes: { type: 'gauge', unit: 'bytes', side: 'server', description: 'failover drill: WAL bytes the standby had not replayed just before the fault' },
  recovery_errors_outside_switch: { type: 'gauge', unit: 'count', side: 'server', description: "failover drill: the ledger's failed writes before the fault, or more than 2 s after the first write acknowledged after it" },
  recovery_errors_in_settle: { type: 'gauge', unit: 'count', side: 'server', description: "failover drill: the ledger's failed writes in the 2 s after the first write acknowledged after the fault (pooled connections to the old primary, failing once each)" },
  recovery_step: { type: 'gauge', unit: 'ms', side: 'server', description: "recovery drills: a step of the drill's timeline, ms from the fault" },
  fault_active: { type: 'gauge', unit: 'state', side: 'server', description: '1 while an injected fault is active (drills)' },
  generator_cpu: { type: 'gauge', unit: 'cores', side: 'generator', description: "the load generator's CPU, in cores" },
  generator_event_loop_lag: { type: 'gauge', unit: 'ms', side: 'generator', description: "the load generator's event-loop lag p99" },
};

/** Looks a metric up by name; undefined when perfgate does not know it. */
export function metricInfo(name: string): MetricInfo | undefined {
  return Object.hasOwn(METRICS, name) ? METRICS[name] : undefined;
}
