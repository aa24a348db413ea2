// Operations endpoints: liveness, readiness (PostgreSQL and Redis), and Prometheus metrics.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError } from '../http-errors.ts';

/** True when the request carries `Authorization: Bearer <expected>` (compared in constant time). */
export function hasBearer(req: FastifyRequest, expected: string): boolean {
  const m = /^Bearer ([^\s]+)$/.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(expected));
}

/** Runs a check with a deadline; resolves to "ok", or "failed" (the reason goes to the log, never to the caller). */
async function check(deadlineMs: number, fn: () => Promise<unknown>, log: (reason: string) => void = () => undefined): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
      }),
    ]);
    return 'ok';
  } catch (err) {
    log((err as Error).message || 'failed');
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/** Registers /health/live, /health/ready (no token) and /metrics (outside /api/v1; the METRICS_TOKEN bearer when set). */
export function opsRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/health/live', async () => ({ status: 'ok', pid: process.pid }));

  app.get('/health/ready', async (_req, reply) => {
    const [postgres, redis] = await Promise.all([
      check(1000, () => ctx.db.query('health', 'SELECT 1'), (reason) => ctx.logger.warn({ check: 'postgres', reason }, 'readiness check failed')),
      check(1000, () => ctx.redis.ping(), (reason) => ctx.logger.warn({ check: 'redis', reason }, 'readiness check failed')),
    ]);
    const ready = postgres === 'ok' && redis === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { postgres, redis }, pid: process.pid });
  });

  app.get('/metrics', async (req, reply) => {
    const token = ctx.config.metricsToken;
    if (token !== undefined && !hasBearer(req, token)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new HttpError(401, 'unauthorized', '/metrics needs the metrics bearer token');
    }
    const text = await ctx.metricsText();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });
}
