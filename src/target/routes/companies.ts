// Company routes: the cached list, the cache-aside detail, the metrics time series, and filings.

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { COMPANY_LIST_INDEX, companyKey, companyListKey } from '../cache/cache.ts';
import { HttpError, badField } from '../http-errors.ts';
import { companyMetricsQuery, filingsQuery, listCompaniesQuery, tickerParams } from '../schemas.ts';

/** Content type of JSON sent as text (cached entries). */
export const JSON_TYPE = 'application/json; charset=utf-8';

/** A page of the company list. */
interface ListQuery {
  sector?: string;
  q?: string;
  limit: number;
  offset: number;
  cursor?: string;
}

const COMPANY_COLUMNS = `ticker, name, sector, industry, country, exchange, market_cap::float8 AS "marketCap",
  report_count AS "reportCount"`;

/** Escapes LIKE wildcards in a user prefix and appends `%` (pure). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Encodes a ticker as an opaque list cursor (pure). */
export const encodeCursor = (ticker: string): string => Buffer.from(ticker, 'utf8').toString('base64url');
/** Decodes a list cursor; undefined when it is not one of ours (pure). */
export function decodeCursor(cursor: string): string | undefined {
  const ticker = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^[A-Z]{1,5}$/.test(ticker) ? ticker : undefined;
}

/** Throws a 404 for an unknown ticker. */
function notFound(ticker: string): HttpError {
  return new HttpError(404, 'not_found', `no company with ticker "${ticker}"`);
}

/** Registers the company routes (inside the authenticated /api/v1 scope). */
export function companyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, cache, config } = ctx;

  app.get<{ Querystring: ListQuery }>('/companies', { schema: { querystring: listCompaniesQuery } }, async (req, reply) => {
    const { sector, q, limit, offset, cursor } = req.query;
    if (cursor !== undefined && offset > 0) throw badField('querystring', 'offset', 'cannot be combined with cursor');
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && after === undefined) throw badField('querystring', 'cursor', 'is not a valid cursor');
    const key = companyListKey(JSON.stringify([sector ?? null, q ?? null, limit, offset, after ?? null]));
    const json = await cache.getOrLoadJson('companies', key, config.cacheTtlS, async () => {
      const { rows } = await db.query<{ ticker: string }>(
        'companies_list',
        `SELECT ${COMPANY_COLUMNS} FROM companies
          WHERE ($1::text IS NULL OR sector = $1)
            AND ($2::text IS NULL OR ticker LIKE upper($2) OR lower(name) LIKE lower($2))
            AND ($3::text IS NULL OR ticker > $3)
          ORDER BY ticker LIMIT $4 OFFSET $5`,
        [sector ?? null, q === undefined ? null : likePrefix(q), after ?? null, limit + 1, offset],
      );
      const more = rows.length > limit;
      const items = more ? rows.slice(0, limit) : rows;
      return { items, limit, offset, nextCursor: more ? encodeCursor(items[items.length - 1]!.ticker) : null };
    }, COMPANY_LIST_INDEX);
    return reply.type(JSON_TYPE).send(json);
  });

  app.get<{ Params: { ticker: string } }>('/companies/:ticker', { schema: { params: tickerParams } }, async (req, reply) => {
    const ticker = req.params.ticker.toUpperCase();
    const company = await cache.getOrLoadJson('company', companyKey(ticker), config.cacheTtlS, async () => {
      const { rows } = await db.query(
        'company_detail',
        `SELECT ${COMPANY_COLUMNS}, employees, founded_year AS "foundedYear", description,
                latest_rating AS "latestRating", updated_at AS "updatedAt"
           FROM companies WHERE ticker = $1`,
        [ticker],
      );
      return rows[0] ?? null;
    });
    if (!company) throw notFound(ticker);
    return reply.type(JSON_TYPE).send(company);
  });

  app.get<{ Params: { ticker: string }; Querystring: { period: 'quarterly' | 'annual'; from?: string; to?: string } }>(
    '/companies/:ticker/metrics',
    { schema: { params: tickerParams, querystring: companyMetricsQuery } },
    async (req) => {
      const ticker = req.params.ticker.toUpperCase();
      const { period, from, to } = req.query;
      if (from && to && from > to) throw badField('querystring', 'from', 'must not be after "to"');
      const params = [ticker, from ?? null, to ?? null];
      const join = `LEFT JOIN financial_metrics m ON m.company_id = c.id
        AND ($2::date IS NULL OR m.period_end >= $2::date) AND ($3::date IS NULL OR m.period_end <= $3::date)`;
      const { rows } =
        period === 'annual'
          ? await db.query<{ fiscalYear: number | null }>(
              'company_metrics_annual',
              `SELECT m.fiscal_year AS "fiscalYear", max(m.period_end)::text AS "periodEnd",
                      sum(m.revenue)::float8 AS revenue, sum(m.gross_profit)::float8 AS "grossProfit",
                      sum(m.operating_income)::float8 AS "operatingIncome", sum(m.net_income)::float8 AS "netIncome",
                      sum(m.ebitda)::float8 AS ebitda, sum(m.free_cash_flow)::float8 AS "freeCashFlow",
                      sum(m.eps)::float8 AS eps, count(m.*)::int AS quarters
                 FROM companies c ${join}
                WHERE c.ticker = $1
                GROUP BY c.id, m.fiscal_year ORDER BY m.fiscal_year`,
              params,
            )
          : await db.query<{ fiscalYear: number | null }>(
              'company_metrics_quarterly',
              `SELECT m.fiscal_year AS "fiscalYear", m.fiscal_quarter AS "fiscalQuarter", m.period_end::text AS "periodEnd",
                      m.revenue::float8 AS revenue, m.gross_profit::float8 AS "grossProfit",
                      m.operating_income::float8 AS "operatingIncome", m.net_income::float8 AS "netIncome",
                      m.ebitda::float8 AS ebitda, m.free_cash_flow::float8 AS "freeCashFlow",
                      m.total_assets::float8 AS "totalAssets", m.total_debt::float8 AS "totalDebt", m.eps::float8 AS eps
                 FROM companies c ${join}
                WHERE c.ticker = $1
                ORDER BY m.period_end`,
              params,
            );
      if (rows.length === 0) throw notFound(ticker);
      return { ticker, period, from: from ?? null, to: to ?? null, series: rows.filter((r) => r.fiscalYear !== null) };
    },
  );

  app.get<{ Params: { ticker: string }; Querystring: { type?: string; limit: number } }>(
    '/companies/:ticker/filings',
    { schema: { params: tickerParams, querystring: filingsQuery } },
    async (req) => {
      const ticker = req.params.ticker.toUpperCase();
      const { rows } = await db.query<{ id: string | null }>(
        'company_filings',
        `SELECT f.id::text AS id, f.form_type AS "formType", f.filed_at::text AS "filedAt",
                f.period_end::text AS "periodEnd", f.title, f.url
           FROM companies c
           LEFT JOIN LATERAL (
             SELECT * FROM filings WHERE company_id = c.id AND ($2::text IS NULL OR form_type = $2)
             ORDER BY filed_at DESC, id DESC LIMIT $3
           ) f ON true
          WHERE c.ticker = $1
          ORDER BY f.filed_at DESC NULLS LAST, f.id DESC`,
        [ticker, req.query.type ?? null, req.query.limit],
      );
      if (rows.length === 0) throw notFound(ticker);
      return { ticker, filings: rows.filter((r) => r.id !== null) };
    },
  );
}
