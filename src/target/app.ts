// Builds the Fastify application: security headers, metrics, auth and rate limiting on /api/v1, the routes, errors.

import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { TIERS } from './auth/clients.ts';
import { TokenRejectedError, bearerToken, verifyAccessToken } from './auth/jwt.ts';
import type { AppContext } from './context.ts';
import { HttpError, handleError } from './http-errors.ts';
import { retryAfterSeconds } from './rate-limit/bucket.ts';
import { authRoutes } from './routes/auth.ts';
import { clientRoutes } from './routes/clients.ts';
import { companyRoutes } from './routes/companies.ts';
import { leaderboardRoutes } from './routes/leaderboard.ts';
import { marketRoutes } from './routes/market.ts';
import { opsRoutes } from './routes/ops.ts';
import { reportRoutes } from './routes/reports.ts';
import { AJV_OPTIONS } from './schemas.ts';
import { registerSlowRoute } from './slowdown.ts';
import { registerCpuHotspot } from './hotspot.ts';
import type { TlsServerOptions } from './tls.ts';

/** Verifies the bearer token (cached until expiry) and sets request.claims; 401 otherwise. */
async function authenticate(ctx: AppContext, req: FastifyRequest): Promise<void> {
  try {
    const token = bearerToken(req.headers.authorization);
    const nowS = Math.floor(Date.now() / 1000);
    let claims = ctx.tokenCache.get(token, nowS);
    if (!claims) {
      claims = await verifyAccessToken(ctx.keys.publicKey, token);
      ctx.tokenCache.set(token, claims);
    }
    req.claims = claims;
  } catch (err) {
    if (err instanceof TokenRejectedError) throw new HttpError(401, 'unauthorized', err.reason);
    throw err;
  }
}

/** Takes a token from the caller's bucket; 429 with Retry-After when it is empty (or 503 if failing closed). */
async function rateLimit(ctx: AppContext, req: FastifyRequest): Promise<void> {
  const claims = req.claims!;
  const decision = await ctx.limiter.take(claims.sub, TIERS[claims.tier]);
  if (decision.degraded) ctx.metrics.rateLimiterDegraded.inc({ policy: ctx.config.rateLimitFailPolicy });
  if (decision.allowed) return;
  if (decision.degraded) {
    throw new HttpError(503, 'rate_limiter_unavailable', 'the rate limiter is unavailable; retry shortly', { retryAfterS: 1 });
  }
  ctx.metrics.rateLimited.inc({ tier: claims.tier });
  throw new HttpError(429, 'rate_limited', 'too many requests for this client', {
    retryAfterS: retryAfterSeconds(decision.retryAfterUs),
  });
}

/** Creates the application on a context, over HTTPS when given TLS options; the caller listens. */
export async function buildApp(ctx: AppContext, tls?: TlsServerOptions): Promise<FastifyInstance> {
  // pipeline: request -> helmet headers -> [/api/v1: auth -> rate limit] -> validation -> handler -> error mapping
  //           every response -> http_request_duration_seconds{route template, method, status}
  const app = Fastify({
    // Typed as plain HTTP: the routes do not depend on the transport, and node:https.Server extends node:http.Server.
    https: (tls ?? null) as null,
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: AJV_OPTIONS },
    bodyLimit: 64 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: () => randomUUID(), // unique across workers: the audit stream and 5xx bodies quote it
  });
  await app.register(helmet, { global: true });
  if (ctx.config.slowRoute) registerSlowRoute(app, ctx.config.slowRoute);
  if (ctx.config.cpuHotspotMs > 0) registerCpuHotspot(app, ctx.config.cpuHotspotMs);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpDuration.observe(
      { route, method: req.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (req.claims) ctx.metrics.clientRequests.inc({ client: req.claims.clientId });
  });
  app.setErrorHandler((err, req, reply) => handleError(err, req, reply));
  app.setNotFoundHandler((req, reply) =>
    handleError(new HttpError(404, 'not_found', `no route for ${req.method} ${req.url.split('?')[0]}`), req, reply),
  );

  opsRoutes(app, ctx);
  authRoutes(app, ctx, '/auth/token');
  await app.register(
    async (api) => {
      authRoutes(api, ctx, '/auth/token');
      await api.register(async (secured) => {
        secured.addHook('onRequest', async (req) => {
          await authenticate(ctx, req);
          await rateLimit(ctx, req);
        });
        companyRoutes(secured, ctx);
        leaderboardRoutes(secured, ctx);
        reportRoutes(secured, ctx);
        clientRoutes(secured, ctx);
        marketRoutes(secured, ctx);
      });
    },
    { prefix: '/api/v1' },
  );
  return app;
}
