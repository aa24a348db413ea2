// GET /metrics/leaderboard: companies ranked by a yearly aggregate of one metric (cached).

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { leaderboardKey } from '../cache/cache.ts';
import { JSON_TYPE } from './companies.ts';
import { leaderboardQuery, type LEADERBOARD_METRICS } from '../schemas.ts';

type LeaderboardMetric = (typeof LEADERBOARD_METRICS)[number];

/** Registers the leaderboard route (inside the authenticated /api/v1 scope). */
export function leaderboardRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, cache, config } = ctx;
  app.get<{ Querystring: { metric: LeaderboardMetric; year?: number; sector?: string; limit: number } }>(
    '/metrics/leaderboard',
    { schema: { querystring: leaderboardQuery } },
    async (req, reply) => {
      const { metric, year, sector, limit } = req.query;
      const key = leaderboardKey(JSON.stringify([metric, year ?? null, sector ?? null, limit]));
      const json = await cache.getOrLoadJson('leaderboard', key, config.cacheTtlS, async () => {
        // The metric picks a column through CASE on a bound parameter: no SQL is built from input.
        const { rows } = await db.query<{ ticker: string; name: string; sector: string; year: number; value: number }>(
          'leaderboard',
          `SELECT c.ticker, c.name, c.sector, m.fiscal_year AS year,
                  sum(CASE $1::text WHEN 'revenue' THEN m.revenue WHEN 'net_income' THEN m.net_income
                                    WHEN 'ebitda' THEN m.ebitda WHEN 'free_cash_flow' THEN m.free_cash_flow
                                    WHEN 'operating_income' THEN m.operating_income END)::float8 AS value
             FROM financial_metrics m JOIN companies c ON c.id = m.company_id
            WHERE m.fiscal_year = COALESCE($2::int, (SELECT max(fiscal_year) FROM financial_metrics))
              AND ($3::text IS NULL OR c.sector = $3)
            GROUP BY c.id, m.fiscal_year
            ORDER BY value DESC, c.ticker LIMIT $4`,
          [metric, year ?? null, sector ?? null, limit],
        );
        return {
          metric,
          year: rows[0]?.year ?? year ?? null,
          sector: sector ?? null,
          items: rows.map((r, i) => ({ rank: i + 1, ticker: r.ticker, name: r.name, sector: r.sector, value: r.value })),
        };
      });
      return reply.type(JSON_TYPE).send(json);
    },
  );
}
