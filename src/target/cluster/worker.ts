// One serving process: builds the dependencies, listens, and shuts down gracefully.

import cluster from 'node:cluster';
import { Redis } from 'ioredis';
import { VerifiedTokenCache } from '../auth/jwt.ts';
import { importKeys, type PemKeyPair } from '../auth/keys.ts';
import { buildApp } from '../app.ts';
import { Cache } from '../cache/cache.ts';
import { redactUrl, type TargetConfig } from '../config.ts';
import type { AppContext } from '../context.ts';
import { createDb } from '../db/pool.ts';
import { createLogger } from '../logger.ts';
import { createQuoteClient } from '../market/quote-client.ts';
import { BREAKER_STATE, createMetrics } from '../metrics.ts';
import { createAuditLog } from '../audit.ts';
import { RateLimiter } from '../rate-limit/limiter.ts';
import { LOGIN_LIMITS, LoginGuard } from '../rate-limit/login-guard.ts';
import { Tarpit } from '../rate-limit/tarpit.ts';
import { Semaphore } from '../routes/auth.ts';
import { isIpc } from './ipc.ts';
import { readTlsOptions } from '../tls.ts';

/** A running server. */
export interface RunningServer {
  port: number;
  /** Stops accepting, drains in-flight requests, closes the pool and Redis. */
  close(): Promise<void>;
}

/** Asks the cluster primary for the aggregated metrics text (workers only). */
function askPrimaryForMetrics(): () => Promise<string> {
  let nextId = 1;
  const pending = new Map<number, { resolve: (t: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  process.on('message', (msg) => {
    if (!isIpc(msg, 'perfgate:metrics-res')) return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.text !== undefined) p.resolve(msg.text);
    else p.reject(new Error(msg.error ?? 'metrics aggregation failed'));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the primary did not answer the metrics request within 3 s'));
      }, 3000);
      pending.set(id, { resolve, reject, timer });
      process.send!({ type: 'perfgate:metrics-req', id });
    });
}

/** Throttles a log call to once per interval (Redis reconnect errors would otherwise flood the log). */
function throttled(intervalMs: number, fn: (err: unknown) => void): (err: unknown) => void {
  let last = 0;
  return (err) => {
    const now = Date.now();
    if (now - last >= intervalMs) {
      last = now;
      fn(err);
    }
  };
}

/** Starts one server process's worth of service on config.port. */
export async function startServer(config: TargetConfig, pem: PemKeyPair): Promise<RunningServer> {
  // pipeline: logger -> metrics -> pg pool -> redis -> cache, limiter, breaker -> fastify -> listen
  const role = cluster.isWorker ? 'worker' : 'server';
  const logger = createLogger(config.logLevel, role);
  let db: ReturnType<typeof createDb> | undefined;
  const metrics = createMetrics(() => db?.stats() ?? { total: 0, idle: 0, waiting: 0, max: config.dbPoolMax });
  db = createDb(
    {
      databaseUrl: config.databaseUrl,
      max: config.dbPoolMax,
      acquireTimeoutMs: config.dbAcquireTimeoutMs,
      statementTimeoutMs: config.dbStatementTimeoutMs,
      queryTimeoutMs: config.dbQueryTimeoutMs,
      slowFactor: config.slowDbFactor,
      onError: throttled(2000, (err) => logger.warn({ err: (err as Error).message }, 'database pool error')),
    },
    metrics.dbQueryDuration,
  );
  const redis = new Redis(config.redisUrl, {
    // Decisions use a lag-tolerant deadline of redisCommandTimeoutMs (cache/deadline.ts); this is the backstop that
    // clears ioredis's queue when Redis hangs.
    commandTimeout: Math.max(1000, 4 * config.redisCommandTimeoutMs),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
    lazyConnect: false,
    enableAutoPipelining: true, // commands issued in the same tick share one write
  });
  redis.on('error', throttled(5000, (err) => logger.warn({ err: (err as Error).message }, 'redis error')));
  const cache = new Cache(redis, {
    hit: (name) => metrics.cacheHits.inc({ cache: name }),
    miss: (name) => metrics.cacheMisses.inc({ cache: name }),
    error: (name) => metrics.cacheErrors.inc({ cache: name }),
  }, config.redisCommandTimeoutMs);
  const limiter = new RateLimiter(redis, config.rateLimitFailPolicy, () => undefined, config.redisCommandTimeoutMs);
  const quotes = createQuoteClient({
    upstreamUrl: config.upstreamUrl,
    timeoutMs: config.upstreamTimeoutMs,
    resetMs: config.breakerResetMs,
    volumeThreshold: config.breakerVolumeThreshold,
    onStateChange: (state) => {
      metrics.breakerState.set(BREAKER_STATE[state]);
      logger.warn({ breaker: state }, `upstream circuit breaker ${state}`);
    },
  });
  metrics.breakerState.set(BREAKER_STATE.closed);
  let metricsText = () => metrics.registry.metrics();
  if (cluster.isWorker) {
    process.on('message', (msg) => {
      if (!isIpc(msg, 'perfgate:collect')) return;
      void metrics.registry.getMetricsAsJSON().then((json) => process.send?.({ type: 'perfgate:collected', id: msg.id, metrics: json }));
    });
    metricsText = askPrimaryForMetrics();
  }
  const ctx: AppContext = {
    config, db, redis, cache, limiter, quotes, metrics, logger, metricsText,
    audit: createAuditLog(config.auditLogFile),
    loginGuard: new LoginGuard(redis, config.rateLimitFailPolicy, config.redisCommandTimeoutMs, {
      ...LOGIN_LIMITS,
      global: { capacity: config.loginGlobalBurst, refillPerS: config.loginGlobalPerS },
    }),
    bcryptGate: new Semaphore(config.bcryptConcurrency, config.bcryptConcurrency * 2),
    tarpit: new Tarpit(),
    keys: importKeys(pem),
    tokenCache: new VerifiedTokenCache(),
  };
  // Opens the first connection now (and learns whether statement_timeout is accepted) instead of on a user's request.
  await db.query('warmup', 'SELECT 1').catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'database not reachable yet'));
  const app = await buildApp(ctx, config.tls ? await readTlsOptions(config.tls) : undefined);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, tls: Boolean(config.tls), database: redactUrl(config.databaseUrl), redis: redactUrl(config.redisUrl), workers: config.workers }, 'listening');
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= (async () => {
        ctx.tarpit.releaseAll();
        await app.close().catch((err: unknown) => logger.warn({ err }, 'closing the server failed'));
        await Promise.allSettled([db!.close(), quotes.close(), redis.quit().catch(() => redis.disconnect())]);
        logger.flush();
        ctx.audit.flush();
      })();
      return closing;
    },
  };
}
