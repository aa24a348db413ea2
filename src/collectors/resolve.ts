// From a scenario's `collectors` options (plus the environment and the lab) to live collectors. URLs come from the
// options first, then DATABASE_URL, REDIS_URL, PGBOUNCER_URL (admin console), METRICS_URL, then the run's target
// (Prometheus: `<target>/metrics`, so it follows --target) or the lab. Every URL passes the host guard, as targets do.
// Prometheus's bearer token: METRICS_TOKEN, else the lab's own when the URL is on the lab target's origin.

import { ConfigError, type ConfigIssue } from '../errors.ts';
import type { CollectorsOptions } from '../scenario/types.ts';
import { parseDurationMs } from '../scenario/duration.ts';
import type { Collector } from './types.ts';
import { createPrometheusCollector } from './prometheus.ts';
import { DEFAULT_PROM_NAMES, type PromNameKey } from './prometheus-derive.ts';
import { createPostgresCollector } from './postgres.ts';
import { createPgBouncerCollector } from './pgbouncer.ts';
import { createRedisCollector } from './redis.ts';
import { createGeneratorCollector, createHostCollector } from './host.ts';
import { redactUrl } from '../redact.ts';
import { guardPgUrl, guardRedisUrl, guardTarget, type PinnedPg, type PinnedRedis } from '../engine/host-guard.ts';

/** The lab's service URLs, when the run started the lab. */
export interface LabUrls {
  databaseUrl: string;
  redisUrl: string;
  pgbouncerAdminUrl?: string;
  metricsUrl: string;
  /** The bearer token the lab's target requires on /metrics (its METRICS_TOKEN). */
  metricsToken?: string;
  /** The lab's CA (PEM) when its target serves HTTPS: trusted for the lab's /metrics. */
  tlsCa?: string;
  /** The lab's services by name (their PIDs lead their process groups): the service under test for host CPU. */
  services?: Record<string, { pid: number }>;
}

/** The lab's services that are the service under test (the upstream simulator stands for a third party). */
const SERVICE_UNDER_TEST = ['target', 'postgres', 'redis', 'pgbouncer'];

/** The process groups of the service under test, from the lab's services. */
export function serviceGroups(lab: LabUrls | undefined): number[] | undefined {
  const pids = SERVICE_UNDER_TEST.map((n) => lab?.services?.[n]?.pid).filter((p): p is number => Number.isInteger(p) && p! > 0);
  return pids.length ? pids : undefined;
}

/** A collector to build, with its resolved endpoint (redacted in `where`). */
export interface CollectorPlan {
  name: 'prometheus' | 'postgres' | 'pgbouncer' | 'redis' | 'host';
  url?: string;
  /** The endpoint with secrets redacted, for run.json and logs. */
  where?: string;
  /** Where the URL came from: the options, the environment, the run's target (`<target>/metrics`) or the lab. */
  from?: 'options' | 'env' | 'target' | 'lab';
  /** prometheus: the bearer token to send (never in `where`, logs or run.json). */
  bearerToken?: string;
  /** prometheus over https: a CA (PEM) trusted beside Node's roots (the lab's, or the run's --ca-file). */
  tlsCa?: string;
  /** Set by guardCollectors: the address the collector connects to (prometheus), or its pinned connection. */
  address?: string;
  pg?: PinnedPg;
  redis?: PinnedRedis;
}

const ENV_KEYS = { prometheus: 'METRICS_URL', postgres: 'DATABASE_URL', pgbouncer: 'PGBOUNCER_URL', redis: 'REDIS_URL' } as const;
const PROTOCOLS = {
  prometheus: ['http:', 'https:'],
  postgres: ['postgres:', 'postgresql:'],
  pgbouncer: ['postgres:', 'postgresql:'],
  redis: ['redis:', 'rediss:'],
} as const;

/** The target's Prometheus endpoint: `/metrics` on the target's origin. */
export function targetMetricsUrl(targetUrl: string): string | undefined {
  try {
    return new URL('/metrics', new URL(targetUrl).origin).toString();
  } catch {
    return undefined;
  }
}

/** The origin of a URL, or undefined when it is not one. */
function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

/** The bearer token for a Prometheus URL: METRICS_TOKEN, else the lab's when the URL is on the lab's metrics origin. */
export function metricsBearer(url: string, env: NodeJS.ProcessEnv, lab?: LabUrls): string | undefined {
  if (env.METRICS_TOKEN) return env.METRICS_TOKEN;
  const labOrigin = originOf(lab?.metricsUrl);
  return lab?.metricsToken && labOrigin !== undefined && originOf(url) === labOrigin ? lab.metricsToken : undefined;
}

/**
 * Validates the options and resolves every enabled collector's URL; throws one ConfigError listing every problem.
 * With `targetUrl` (the run's target after --target or --lab), the default Prometheus URL is that target's /metrics.
 */
export function planCollectors(options: CollectorsOptions | undefined, env: NodeJS.ProcessEnv, lab?: LabUrls, targetUrl?: string, tlsCa?: string): CollectorPlan[] {
  const issues: ConfigIssue[] = [];
  const plans: CollectorPlan[] = [];
  if (!options) return plans;
  const derived = targetUrl ? targetMetricsUrl(targetUrl) : undefined;
  const labUrl = { prometheus: derived ?? lab?.metricsUrl, postgres: lab?.databaseUrl, pgbouncer: lab?.pgbouncerAdminUrl, redis: lab?.redisUrl };
  for (const name of ['prometheus', 'postgres', 'pgbouncer', 'redis'] as const) {
    const o = options[name];
    if (o === undefined) continue;
    const path = `collectors.${name}.url`;
    const envUrl = env[ENV_KEYS[name]];
    const url = o.url ?? (envUrl || undefined) ?? labUrl[name];
    const fallback = name === 'prometheus' && derived ? 'target' : 'lab';
    const from = o.url !== undefined ? 'options' : envUrl ? 'env' : labUrl[name] ? fallback : undefined;
    if (!url) {
      issues.push({ path, message: `no URL: set ${path}, or ${ENV_KEYS[name]}, or run with --lab` });
      continue;
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      issues.push({ path, message: `"${redactUrl(url)}" is not a URL${from === 'env' ? ` (from ${ENV_KEYS[name]})` : ''}` });
      continue;
    }
    if (!(PROTOCOLS[name] as readonly string[]).includes(parsed.protocol)) {
      issues.push({ path, message: `expected a ${PROTOCOLS[name].join(' or ')} URL, got "${redactUrl(url)}"${from === 'env' ? ` (from ${ENV_KEYS[name]})` : ''}` });
      continue;
    }
    const bearerToken = name === 'prometheus' ? metricsBearer(url, env, lab) : undefined;
    const ca = name === 'prometheus' && parsed.protocol === 'https:' ? (tlsCa ?? (originOf(url) === originOf(lab?.metricsUrl) ? lab?.tlsCa : undefined)) : undefined;
    plans.push({ name, url, where: redactUrl(url), from, ...(bearerToken ? { bearerToken } : {}), ...(ca ? { tlsCa: ca } : {}) });
  }
  const names = options.prometheus?.metrics;
  if (names !== undefined) {
    for (const [key, value] of Object.entries(names)) {
      if (!Object.hasOwn(DEFAULT_PROM_NAMES, key)) {
        issues.push({ path: `collectors.prometheus.metrics.${key}`, message: `unknown key (expected one of ${Object.keys(DEFAULT_PROM_NAMES).join(', ')})` });
      } else if (typeof value !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(value)) {
        issues.push({ path: `collectors.prometheus.metrics.${key}`, message: `"${String(value)}" is not a Prometheus metric name` });
      }
    }
  }
  if (options.host !== undefined) plans.push({ name: 'host' });
  if (options.interval !== undefined) {
    try {
      if (!(resolveIntervalMs(options) > 0)) issues.push({ path: 'collectors.interval', message: 'must be more than 0' });
    } catch {
      issues.push({ path: 'collectors.interval', message: `invalid duration "${options.interval}" (expected e.g. '1s', '500ms')` });
    }
  }
  if (issues.length) throw new ConfigError(issues, 'invalid collectors');
  return plans;
}

/** The sampling interval in ms: collectors.interval, 1000 by default. */
export function resolveIntervalMs(options: CollectorsOptions | undefined): number {
  return options?.interval === undefined ? 1000 : parseDurationMs(options.interval, 'collectors.interval');
}

/** What the run can share with the collectors. */
export interface CollectorShared {
  /** The engine's event-loop lag p99 (ms) since the previous call; the generator collector then runs no monitor of its own. */
  loopLagP99Ms?: () => number;
  /** Process groups of the service under test (serviceGroups of the lab), for service_cpu_utilization. */
  serviceGroups?: readonly number[];
}

/** How collector URLs are checked: the hosts the run allows besides loopback, and the run's target. */
export interface CollectorGuard {
  /** --allow-host and target.allowHosts: the same allow-list targets use. */
  allowHosts?: readonly string[];
  /** The run's target URL (after --target or --lab): the default Prometheus URL follows it. */
  targetUrl?: string;
  /** The run's --ca-file (PEM), trusted for an https Prometheus URL. */
  tlsCa?: string;
}

/** Passes every planned URL through the host guard (as each client reads it) and pins the checked address. */
export async function guardCollectors(plans: readonly CollectorPlan[], allowHosts: readonly string[] = []): Promise<CollectorPlan[]> {
  const out: CollectorPlan[] = [];
  for (const p of plans) {
    if (!p.url) {
      out.push(p);
      continue;
    }
    const what = `collectors.${p.name}.url${p.from === 'env' ? ` (from ${ENV_KEYS[p.name as keyof typeof ENV_KEYS]})` : ''}`;
    if (p.name === 'prometheus') out.push({ ...p, address: (await guardTarget(p.url, allowHosts, what)).address });
    else if (p.name === 'redis') out.push({ ...p, redis: await guardRedisUrl(p.url, allowHosts, what) });
    else out.push({ ...p, pg: await guardPgUrl(p.url, allowHosts, what) });
  }
  return out;
}

/** Builds the live collectors the options enable, every URL through the host guard (host also enables the generator's own health). */
export async function resolveCollectors(
  options: CollectorsOptions | undefined,
  env: NodeJS.ProcessEnv,
  lab?: LabUrls,
  shared: CollectorShared = {},
  guard: CollectorGuard = {},
): Promise<Collector[]> {
  const withGroups = { ...shared, serviceGroups: shared.serviceGroups ?? serviceGroups(lab) };
  return createCollectors(await guardCollectors(planCollectors(options, env, lab, guard.targetUrl, guard.tlsCa), guard.allowHosts), options, withGroups);
}

/** The live collectors of plans that guardCollectors cleared. */
export function createCollectors(plans: readonly CollectorPlan[], options: CollectorsOptions | undefined, shared: CollectorShared = {}): Collector[] {
  const intervalMs = resolveIntervalMs(options);
  const timeoutMs = Math.max(50, Math.min(1000, Math.floor(intervalMs * 0.5)));
  const out: Collector[] = [];
  for (const p of plans) {
    switch (p.name) {
      case 'prometheus':
        out.push(createPrometheusCollector({ url: p.url as string, address: p.address, bearerToken: p.bearerToken, tlsCa: p.tlsCa, metrics: options?.prometheus?.metrics as Partial<Record<PromNameKey, string>> }));
        break;
      case 'postgres':
        out.push(createPostgresCollector({ url: p.url as string, pinned: p.pg, statementTimeoutMs: timeoutMs }));
        break;
      case 'pgbouncer':
        out.push(createPgBouncerCollector({ url: p.url as string, pinned: p.pg, queryTimeoutMs: timeoutMs }));
        break;
      case 'redis':
        out.push(createRedisCollector({ url: p.url as string, pinned: p.redis, commandTimeoutMs: timeoutMs }));
        break;
      case 'host':
        out.push(createHostCollector('/proc', { serviceGroups: shared.serviceGroups }), createGeneratorCollector({ loopLagP99Ms: shared.loopLagP99Ms }));
        break;
    }
  }
  return out;
}
