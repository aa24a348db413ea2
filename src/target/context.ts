// What every route needs, built once per process by the worker and handed to the routes.

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from './audit.ts';
import type { SigningKeys } from './auth/keys.ts';
import type { AccessClaims, VerifiedTokenCache } from './auth/jwt.ts';
import type { Cache } from './cache/cache.ts';
import type { TargetConfig } from './config.ts';
import type { Db } from './db/pool.ts';
import type { QuoteClient } from './market/quote-client.ts';
import type { TargetMetrics } from './metrics.ts';
import type { RateLimiter } from './rate-limit/limiter.ts';
import type { LoginGuard } from './rate-limit/login-guard.ts';
import type { Tarpit } from './rate-limit/tarpit.ts';
import type { Semaphore } from './routes/auth.ts';

/** The service's dependencies. */
export interface AppContext {
  config: TargetConfig;
  db: Db;
  redis: Redis;
  cache: Cache;
  limiter: RateLimiter;
  /** The Redis login guard of POST /auth/token. */
  loginGuard: LoginGuard;
  /** The one bcrypt semaphore of this process. */
  bcryptGate: Semaphore;
  /** Holds refused logins before answering (rate-limit/tarpit.ts). */
  tarpit: Tarpit;
  quotes: QuoteClient;
  keys: SigningKeys;
  tokenCache: VerifiedTokenCache;
  metrics: TargetMetrics;
  logger: Logger;
  /** The audit stream (audit.ts): token issuance, failed logins, report writes, deletions. */
  audit: AuditLog;
  /** Returns the /metrics text: this process's registry, or the cluster-wide aggregate when run as a worker. */
  metricsText: () => Promise<string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token claims (set by the auth hook on /api/v1 routes). */
    claims?: AccessClaims;
  }
}
