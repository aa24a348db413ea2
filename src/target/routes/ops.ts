// Operations endpoints: liveness, readiness (PostgreSQL and Redis), and Prometheus metrics.

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

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

/** Registers /health/live, /health/ready and /metrics (outside /api/v1, no token needed). */
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

  app.get('/metrics', async (_req, reply) => {
    const text = await ctx.metricsText();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });
}
