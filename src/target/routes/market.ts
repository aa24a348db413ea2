// GET /market/:ticker/quote: the provider through the breaker; when it fails, the last quote seen, marked stale.

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { lastQuoteKey } from '../cache/cache.ts';
import { HttpError } from '../http-errors.ts';
import { UpstreamStatusError, isBreakerOpen, type Quote } from '../market/quote-client.ts';
import { tickerParams } from '../schemas.ts';

/** How long the last known quote is kept for the stale fallback. */
const LAST_QUOTE_TTL_S = 24 * 3600;

/** Registers the quote route (inside the authenticated /api/v1 scope). */
export function marketRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { quotes, cache, config } = ctx;
  app.get<{ Params: { ticker: string } }>('/market/:ticker/quote', { schema: { params: tickerParams } }, async (req, reply) => {
    // pipeline: breaker -> provider (aborts at the timeout) -> remember as last quote -> answer
    //           on failure: last quote from Redis (stale: true) -> or 503 with Retry-After
    const ticker = req.params.ticker.toUpperCase();
    try {
      const quote = await quotes.fetch(ticker);
      void cache.put('quote', lastQuoteKey(ticker), quote, LAST_QUOTE_TTL_S);
      return { ...quote, stale: false };
    } catch (err) {
      if (err instanceof UpstreamStatusError && err.statusCode === 404) {
        throw new HttpError(404, 'not_found', `no quote for ticker "${ticker}"`);
      }
      if (!isBreakerOpen(err)) req.log.warn({ err: (err as Error).message, ticker }, 'upstream quote failed');
      const last = await cache.peek<Quote>('quote', lastQuoteKey(ticker));
      if (last) {
        reply.header('warning', '110 - "stale quote: the market-data provider is unavailable"');
        return { ...last, stale: true };
      }
      const retryAfterS = isBreakerOpen(err) ? Math.max(1, Math.ceil(config.breakerResetMs / 1000)) : 1;
      throw new HttpError(503, 'upstream_unavailable', 'the market-data provider is unavailable and no quote is cached', {
        retryAfterS,
      });
    }
  });
}
