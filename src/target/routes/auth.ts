// POST /auth/token: client credentials in, a 15-minute RS256 access token out. Secrets are checked with bcrypt.

import bcrypt from 'bcrypt';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { DUMMY_BCRYPT_HASH, isTierName } from '../auth/clients.ts';
import { TOKEN_TTL_S, signAccessToken } from '../auth/jwt.ts';
import { HttpError } from '../http-errors.ts';
import { tokenBody } from '../schemas.ts';

/** Bounds concurrent bcrypt checks (each takes a libuv thread for ~0.3 s) so a flood of logins cannot stall the API. */
export class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(
    private readonly limit: number,
    private readonly maxQueued: number,
  ) {}

  /** Runs fn when a slot is free; returns undefined at once when too many are already waiting. */
  async run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    if (this.active >= this.limit) {
      if (this.queue.length >= this.maxQueued) return undefined;
      await new Promise<void>((resolve) => this.queue.push(resolve));
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

/** Registers POST /auth/token at `prefix` (the service mounts it at / and at /api/v1). */
export function authRoutes(app: FastifyInstance, ctx: AppContext, path: string): void {
  const gate = new Semaphore(4, 200);
  app.post<{ Body: { clientId: string; clientSecret: string } }>(path, { schema: { body: tokenBody } }, async (req, reply) => {
    const { clientId, clientSecret } = req.body;
    const { rows } = await ctx.db.query<{ secretHash: string; tier: string }>(
      'client_lookup',
      'SELECT secret_hash AS "secretHash", tier FROM api_clients WHERE client_id = $1',
      [clientId],
    );
    const client = rows[0];
    // Unknown ids are checked against a dummy hash, so they take as long as a wrong secret.
    const ok = await gate.run(() => bcrypt.compare(clientSecret, client?.secretHash ?? DUMMY_BCRYPT_HASH));
    if (ok === undefined) throw new HttpError(503, 'busy', 'too many token requests in flight; retry shortly', { retryAfterS: 1 });
    if (!ok || !client || !isTierName(client.tier)) {
      throw new HttpError(401, 'invalid_client', 'unknown client or wrong secret');
    }
    const token = await signAccessToken(ctx.keys.privateKey, { sub: clientId, clientId, tier: client.tier }, TOKEN_TTL_S);
    return reply.header('cache-control', 'no-store').send({ access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_S });
  });
}
