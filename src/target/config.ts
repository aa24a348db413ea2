// Service configuration: parses the environment into a typed config, reporting every bad variable at once.

/** One bad environment variable and what is wrong with it. */
export interface TargetConfigIssue {
  path: string;
  message: string;
}

/** The environment could not be turned into a configuration; names every bad variable. */
export class TargetConfigError extends Error {
  constructor(readonly issues: TargetConfigIssue[]) {
    super(`invalid target configuration:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'TargetConfigError';
  }
}

import { parseSlowRoute, type SlowRoute } from './slowdown.ts';

/** What the limiter does when Redis cannot answer in time. */
export type RateLimitFailPolicy = 'open' | 'closed';

/** Everything `serve` needs, read from the environment. */
export interface TargetConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  upstreamUrl: string;
  /** Cluster workers; 0 serves in one process with no primary. */
  workers: number;
  dbPoolMax: number;
  dbStatementTimeoutMs: number;
  /** Client-side limit on a query's answer (pg query_timeout); 0: none, so a silent network hangs requests. */
  dbQueryTimeoutMs: number;
  dbAcquireTimeoutMs: number;
  redisCommandTimeoutMs: number;
  upstreamTimeoutMs: number;
  breakerResetMs: number;
  breakerVolumeThreshold: number;
  jwtPrivateKeyFile?: string;
  jwtPublicKeyFile?: string;
  logLevel: string;
  rateLimitFailPolicy: RateLimitFailPolicy;
  cacheTtlS: number;
  /** Testbed: one route slowed by a factor (SLOW_ROUTE). */
  slowRoute?: SlowRoute;
  /** Testbed: every database query slowed by this factor (SLOW_DB_FACTOR; 1 = off). */
  slowDbFactor: number;
  /** Profiling testbed: ms of CPU every request burns in cpuHotspot (CPU_HOTSPOT_MS; 0 = off). */
  cpuHotspotMs: number;
  /** After a graceful close: exit at once (`now`), or once the event loop is empty (`drain`: a profiler may still be writing). */
  shutdownExit: 'now' | 'drain';
  /** libuv's thread pool size (UV_THREADPOOL_SIZE, read by Node at start); bcrypt, crypto and SCRAM share it. */
  threadPoolSize: number;
  /** Concurrent bcrypt checks per process; below threadPoolSize so the pool always has threads for the rest. */
  bcryptConcurrency: number;
  /** The service-wide login bucket (untrusted logins): its burst and refill per second. */
  loginGlobalBurst: number;
  loginGlobalPerS: number;
  /** Bearer token GET /metrics requires (METRICS_TOKEN); unset leaves /metrics open (local development only). */
  metricsToken?: string;
  /** File the audit stream appends to (AUDIT_LOG_FILE); unset: stderr, each line marked `log: "audit"`. */
  auditLogFile?: string;
  /** HTTPS (TARGET_TLS=1): the PEM certificate chain and key files; TLS 1.2 minimum, TLS 1.3 preferred. */
  tls?: { certFile: string; keyFile: string };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses the environment (pure: the env is passed in) into a TargetConfig or throws TargetConfigError. */
export function parseTargetConfig(env: Record<string, string | undefined>): TargetConfig {
  const issues: TargetConfigIssue[] = [];
  const int = (name: string, fallback: number | undefined, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (fallback === undefined) issues.push({ path: name, message: 'is required' });
      return fallback ?? 0;
    }
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      issues.push({ path: name, message: `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}` });
      return fallback ?? 0;
    }
    return n;
  };
  const url = (name: string, fallback: string, protocols: string[]): string => {
    const raw = env[name] || fallback;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) issues.push({ path: name, message: `must use ${protocols.join(' or ')}` });
    } catch {
      issues.push({ path: name, message: 'is not a valid URL' });
    }
    return raw;
  };
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) issues.push({ path: 'LOG_LEVEL', message: `must be one of ${LOG_LEVELS.join(', ')}` });
  const policy = env.RATE_LIMIT_FAIL_POLICY || 'open';
  if (policy !== 'open' && policy !== 'closed') {
    issues.push({ path: 'RATE_LIMIT_FAIL_POLICY', message: 'must be "open" or "closed"' });
  }
  const config: TargetConfig = {
    port: int('PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl: url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/perfgate', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    upstreamUrl: url('UPSTREAM_URL', 'http://127.0.0.1:8090', ['http:', 'https:']),
    workers: int('TARGET_WORKERS', 1, 0, 64),
    dbPoolMax: int('DB_POOL_MAX', 20, 1, 1000),
    dbStatementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', 5000, 1, 600_000),
    dbQueryTimeoutMs: int('DB_QUERY_TIMEOUT_MS', 0, 0, 600_000),
    dbAcquireTimeoutMs: int('DB_ACQUIRE_TIMEOUT_MS', 1000, 1, 60_000),
    redisCommandTimeoutMs: int('REDIS_COMMAND_TIMEOUT_MS', 150, 1, 10_000),
    upstreamTimeoutMs: int('UPSTREAM_TIMEOUT_MS', 1000, 1, 60_000),
    breakerResetMs: int('BREAKER_RESET_MS', 5000, 1, 600_000),
    breakerVolumeThreshold: int('BREAKER_VOLUME_THRESHOLD', 5, 1, 10_000),
    jwtPrivateKeyFile: env.JWT_PRIVATE_KEY_FILE || undefined,
    jwtPublicKeyFile: env.JWT_PUBLIC_KEY_FILE || undefined,
    logLevel,
    rateLimitFailPolicy: policy as RateLimitFailPolicy,
    cacheTtlS: int('CACHE_TTL_S', 60, 1, 86_400),
    slowDbFactor: 1,
    cpuHotspotMs: int('CPU_HOTSPOT_MS', 0, 0, 1000),
    shutdownExit: 'now',
    threadPoolSize: int('UV_THREADPOOL_SIZE', 4, 1, 1024),
    bcryptConcurrency: int('BCRYPT_CONCURRENCY', 2, 1, 1024),
    loginGlobalBurst: int('LOGIN_GLOBAL_BURST', 10, 1, 100_000),
    loginGlobalPerS: int('LOGIN_GLOBAL_PER_S', 2, 1, 100_000),
    metricsToken: env.METRICS_TOKEN || undefined,
    auditLogFile: env.AUDIT_LOG_FILE || undefined,
  };
  const tls = env.TARGET_TLS || '0';
  if (tls !== '0' && tls !== '1') issues.push({ path: 'TARGET_TLS', message: `must be 0 or 1, got ${JSON.stringify(tls)}` });
  if (tls === '1') {
    for (const name of ['TLS_CERT_FILE', 'TLS_KEY_FILE']) if (!env[name]) issues.push({ path: name, message: 'is required when TARGET_TLS=1' });
    config.tls = { certFile: env.TLS_CERT_FILE ?? '', keyFile: env.TLS_KEY_FILE ?? '' };
  }
  if (config.metricsToken !== undefined && !/^[A-Za-z0-9._~+/=-]{16,}$/.test(config.metricsToken)) {
    issues.push({ path: 'METRICS_TOKEN', message: 'must be at least 16 characters of [A-Za-z0-9._~+/=-]' });
  }
  if (config.bcryptConcurrency >= config.threadPoolSize) {
    issues.push({ path: 'BCRYPT_CONCURRENCY', message: `must be below UV_THREADPOOL_SIZE (${config.threadPoolSize}), so bcrypt never takes every libuv thread` });
  }
  if (env.SLOW_ROUTE) {
    const rule = parseSlowRoute(env.SLOW_ROUTE);
    if (typeof rule === 'string') issues.push({ path: 'SLOW_ROUTE', message: rule });
    else config.slowRoute = rule;
  }
  if (env.SLOW_DB_FACTOR) {
    const f = Number(env.SLOW_DB_FACTOR);
    if (!(f >= 1 && f <= 100)) issues.push({ path: 'SLOW_DB_FACTOR', message: `must be a number from 1 to 100, got ${JSON.stringify(env.SLOW_DB_FACTOR)}` });
    else config.slowDbFactor = f;
  }
  if (env.SHUTDOWN_EXIT) {
    if (env.SHUTDOWN_EXIT !== 'now' && env.SHUTDOWN_EXIT !== 'drain') issues.push({ path: 'SHUTDOWN_EXIT', message: `must be "now" or "drain", got ${JSON.stringify(env.SHUTDOWN_EXIT)}` });
    else config.shutdownExit = env.SHUTDOWN_EXIT;
  }
  if (Boolean(config.jwtPrivateKeyFile) !== Boolean(config.jwtPublicKeyFile)) {
    issues.push({ path: 'JWT_PUBLIC_KEY_FILE', message: 'JWT_PRIVATE_KEY_FILE and JWT_PUBLIC_KEY_FILE go together' });
  }
  if (issues.length) throw new TargetConfigError(issues);
  return config;
}

/** Replaces the password in a connection URL with *** so it can be logged. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
