// DELETE /clients/:id/data: the right to deletion. Removes a client's personal data (its reports, its credentials and
// its login state), keeps the companies' counters true, drops the cache entries that showed the reports, and audits it.

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { COMPANY_LIST_INDEX, companyKey } from '../cache/cache.ts';
import { requireScope } from '../auth/scopes.ts';

/** What an erasure removed. */
export interface ErasureCounts {
  reports: number;
  clients: number;
}

/**
 * One statement: delete the client's reports, fix report_count and latest_rating of their companies (the CTEs see
 * the rows before the delete, hence the client filter), delete the client row; returns counts and the tickers touched.
 */
const ERASE_SQL = `
WITH gone AS (
  DELETE FROM reports WHERE client_id = $1 RETURNING company_id
), counts AS (
  SELECT company_id, count(*)::int AS n FROM gone GROUP BY company_id
), fixed AS (
  UPDATE companies c
     SET report_count = greatest(c.report_count - counts.n, 0),
         latest_rating = (SELECT r.rating FROM reports r
                           WHERE r.company_id = c.id AND r.client_id IS DISTINCT FROM $1
                           ORDER BY r.created_at DESC, r.id DESC LIMIT 1),
         updated_at = now()
    FROM counts WHERE c.id = counts.company_id
  RETURNING c.ticker
), client AS (
  DELETE FROM api_clients WHERE client_id = $1 RETURNING 1
)
SELECT (SELECT count(*) FROM gone)::int AS reports,
       (SELECT count(*) FROM client)::int AS clients,
       coalesce((SELECT array_agg(ticker) FROM fixed), '{}') AS tickers`;

/** Registers the erasure route (inside the authenticated /api/v1 scope): a client erases itself, or `clients:erase` anyone. */
export function clientRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.delete<{ Params: { id: string } }>(
    '/clients/:id/data',
    { schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } } },
    async (req) => {
      // pipeline: self or clients:erase -> one erasing statement -> cache entries of the touched companies -> login state -> audit
      const claims = req.claims!;
      const clientId = req.params.id;
      try {
        if (claims.clientId !== clientId) requireScope(claims, 'clients:erase');
      } catch (err) {
        ctx.audit.record(req, 'client_data.delete', 'refused', claims.clientId, { subject: claims.sub, target: clientId, reason: 'insufficient_scope' });
        throw err;
      }
      const { rows } = await ctx.db.query<ErasureCounts & { tickers: string[] }>('client_erase', ERASE_SQL, [clientId]);
      const { reports, clients, tickers } = rows[0]!;
      await ctx.cache.invalidate('companies', COMPANY_LIST_INDEX, tickers.map(companyKey));
      await ctx.loginGuard.forget(clientId);
      ctx.audit.record(req, 'client_data.delete', 'success', claims.clientId, { subject: claims.sub, target: clientId, reports, clients });
      return { clientId, deleted: { reports, clients } };
    },
  );
}
