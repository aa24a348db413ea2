// POST /reports: an analyst report on a company; it changes the company, so it drops the cache entries showing it.

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { COMPANY_LIST_INDEX, companyKey } from '../cache/cache.ts';
import { HttpError } from '../http-errors.ts';
import { requireScope } from '../auth/scopes.ts';
import { createReportBody } from '../schemas.ts';

/** Body of POST /reports. */
interface ReportBody {
  ticker: string;
  title: string;
  rating: 'buy' | 'hold' | 'sell';
  summary: string;
}

/** Registers the reports route (inside the authenticated /api/v1 scope). */
export function reportRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, cache } = ctx;
  app.post<{ Body: ReportBody }>('/reports', { schema: { body: createReportBody } }, async (req, reply) => {
    // pipeline: scope check -> one atomic statement (update the company, insert the report) -> invalidate detail + list pages -> 201
    const ticker = req.body.ticker.toUpperCase();
    try {
      requireScope(req.claims!, 'reports:write');
    } catch (err) {
      ctx.audit.record(req, 'report.write', 'refused', req.claims!.clientId, { subject: req.claims!.sub, ticker, reason: 'insufficient_scope' });
      throw err;
    }
    const { rows } = await db.query<{ id: string; createdAt: string }>(
      'report_insert',
      `WITH c AS (
         UPDATE companies SET report_count = report_count + 1, latest_rating = $2, updated_at = now()
          WHERE ticker = $1 RETURNING id)
       INSERT INTO reports (company_id, author, client_id, title, rating, summary)
       SELECT id, $3, $6, $4, $2, $5 FROM c
       RETURNING id::text AS id, created_at AS "createdAt"`,
      [ticker, req.body.rating, req.claims!.sub, req.body.title, req.body.summary, req.claims!.clientId],
    );
    const row = rows[0];
    if (!row) {
      ctx.audit.record(req, 'report.write', 'failure', req.claims!.clientId, { subject: req.claims!.sub, ticker, reason: 'not_found' });
      throw new HttpError(404, 'not_found', `no company with ticker "${ticker}"`);
    }
    ctx.audit.record(req, 'report.write', 'success', req.claims!.clientId, { subject: req.claims!.sub, ticker, reportId: row.id });
    ctx.metrics.reportsIngested.inc();
    ctx.metrics.reportBytesIngested.inc(Number(req.headers['content-length'] ?? 0) || 0);
    await cache.invalidate('companies', COMPANY_LIST_INDEX, [companyKey(ticker)]);
    return reply
      .code(201)
      .header('location', `/api/v1/reports/${row.id}`)
      .send({ id: row.id, ticker, title: req.body.title, rating: req.body.rating, summary: req.body.summary, author: req.claims!.sub, createdAt: row.createdAt });
  });
}
