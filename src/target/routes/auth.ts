// POST /auth/token: client credentials in, a 15-minute RS256 access token out. Secrets are checked with bcrypt.

import bcrypt from 'bcrypt';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { DUMMY_BCRYPT_HASH, isTierName } from '../auth/clients.ts';
import { TOKEN_TTL_S, signAccessToken } from '../auth/jwt.ts';
import { parseScopeClaim } from '../auth/scopes.ts';
import { HttpError } from '../http-errors.ts';
import { retryAfterSeconds } from '../rate-limit/bucket.ts';
import { tokenBody } from '../schemas.ts';

/**
 * Bounds concurrent bcrypt checks (each takes a libuv thread for ~0.3 s) so a flood of logins cannot stall the API.
 * One per process, shared by every token route, sized below the libuv thread pool (see config.ts).
 */
export class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(
    private readonly limit: number,
    private readonly maxQueued: number,
  ) {}

  /**
   * Runs fn when a slot is free; returns undefined at once when too many are already waiting. A priority caller
   * (a trusted login, bounded by its own bucket) goes to the head of the queue and is never turned away.
   */
  async run<T>(fn: () => Promise<T>, priority = false): Promise<T | undefined> {
    if (this.active >= this.limit) {
      if (!priority && this.queue.length >= this.maxQueued) return undefined;
      await new Promise<void>((resolve) => (priority ? this.queue.unshift(resolve) : this.queue.push(resolve)));
    } else {
      this.active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** Refuses a login attempt with 429 and Retry-After (whole seconds, at least 1). */
function tooMany(retryAfterUs: number, message: string, error = 'too_many_logins'): HttpError {
  return new HttpError(429, error, message, { retryAfterS: retryAfterSeconds(retryAfterUs) });
}

/**
 * Registers POST /auth/token at `path` (the service mounts it at / and at /api/v1).
 * pipeline: Redis login guard (a trusted client+address pair: its own bucket; others: client id, source address,
 * service, client backoff) -> refused: held 1 s in the tarpit, then 429 -> shared bcrypt slot (bounded queue; trusted
 * pairs first) -> client lookup -> bcrypt compare -> sign and trust the pair, or record the failure.
 */
export function authRoutes(app: FastifyInstance, ctx: AppContext, path: string): void {
  app.post<{ Body: { clientId: string; clientSecret: string } }>(path, { schema: { body: tokenBody } }, async (req, reply) => {
    const { clientId, clientSecret } = req.body;
    const decision = await ctx.loginGuard.check(clientId, req.ip);
    if (decision.degraded) ctx.metrics.rateLimiterDegraded.inc({ policy: ctx.config.rateLimitFailPolicy });
    if (!decision.allowed) {
      ctx.metrics.rateLimited.inc({ tier: `login-${decision.reason || 'degraded'}` });
      ctx.audit.record(req, 'login.failed', 'refused', clientId, { reason: decision.reason || 'degraded' });
      await ctx.tarpit.hold();
      if (decision.reason === 'block') throw tooMany(decision.retryAfterUs, 'too many failed logins for this client; retry later', 'login_backoff');
      throw tooMany(decision.retryAfterUs, 'too many login attempts; retry later');
    }
    const outcome = await ctx.bcryptGate.run(async () => {
      const { rows } = await ctx.db.query<{ secretHash: string; tier: string; scopes: string[] }>(
        'client_lookup',
        'SELECT secret_hash AS "secretHash", tier, scopes FROM api_clients WHERE client_id = $1',
        [clientId],
      );
      const client = rows[0];
      // Unknown ids are checked against a dummy hash, so they take as long as a wrong secret.
      const ok = await bcrypt.compare(clientSecret, client?.secretHash ?? DUMMY_BCRYPT_HASH);
      return ok && client && isTierName(client.tier) ? { tier: client.tier, scopes: parseScopeClaim(client.scopes.join(' ')) } : null;
    }, decision.trusted);
    if (outcome === undefined) {
      ctx.audit.record(req, 'login.failed', 'refused', clientId, { reason: decision.reason || 'degraded' });
      await ctx.tarpit.hold();
      throw tooMany(1_000_000, 'too many token requests in flight; retry shortly');
    }
    if (outcome === null) {
      await ctx.loginGuard.failed(clientId, req.ip, decision.trusted);
      ctx.audit.record(req, 'login.failed', 'failure', clientId, { reason: 'invalid_client' });
      throw new HttpError(401, 'invalid_client', 'unknown client or wrong secret');
    }
    await ctx.loginGuard.succeeded(clientId, req.ip);
    const token = await signAccessToken(ctx.keys.privateKey, { sub: clientId, clientId, ...outcome }, TOKEN_TTL_S);
    ctx.audit.record(req, 'token.issue', 'success', clientId, { tier: outcome.tier, scopes: outcome.scopes, expiresInS: TOKEN_TTL_S });
    return reply.header('cache-control', 'no-store').send({ access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_S });
  });
}
