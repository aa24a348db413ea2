// Loads the seed data with COPY (pg-copy-streams), replacing whatever was there, in one transaction.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BCRYPT_COST, SEED_CLIENTS } from '../auth/clients.ts';
import { copyLine, generateCompanies, generateFilings, generateMetrics, type SeedSize } from './generate.ts';

/** Row counts loaded by seed(). */
export interface SeedCounts {
  companies: number;
  metrics: number;
  filings: number;
  clients: number;
}

/** Streams rows into a table with COPY FROM STDIN; returns the row count. */
async function copyRows(client: pg.Client, table: string, columns: string[], rows: Iterable<Array<string | number | null>>): Promise<number> {
  let count = 0;
  // Batches lines into ~64 KiB chunks: one stream write per line would dominate the load time.
  const lines = (function* () {
    let batch = '';
    for (const row of rows) {
      count++;
      batch += copyLine(row);
      if (batch.length >= 65536) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  })();
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(lines), stream);
  return count;
}

/** Replaces all seed data (idempotent) for a size. Client secrets are hashed with bcrypt (cost 12) here. */
export async function seed(databaseUrl: string, size: SeedSize): Promise<SeedCounts> {
  // pipeline: hash client secrets -> BEGIN -> TRUNCATE -> COPY companies, metrics, filings, clients -> ANALYZE
  const hashes = await Promise.all(SEED_CLIENTS.map((c) => bcrypt.hash(c.secret, BCRYPT_COST)));
  const companies = generateCompanies(size);
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'perfgate-target-seed' });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('TRUNCATE companies, financial_metrics, filings, reports, api_clients RESTART IDENTITY CASCADE');
    const counts: SeedCounts = {
      companies: await copyRows(
        client,
        'companies',
        ['id', 'ticker', 'name', 'sector', 'industry', 'country', 'exchange', 'market_cap', 'employees', 'founded_year', 'description'],
        companies.map((c) => [c.id, c.ticker, c.name, c.sector, c.industry, c.country, c.exchange, c.marketCap, c.employees, c.foundedYear, c.description]),
      ),
      metrics: await copyRows(
        client,
        'financial_metrics',
        ['company_id', 'period_end', 'fiscal_year', 'fiscal_quarter', 'revenue', 'gross_profit', 'operating_income', 'net_income', 'ebitda', 'free_cash_flow', 'total_assets', 'total_debt', 'eps'],
        (function* () {
          for (const m of generateMetrics(size, companies)) {
            yield [m.companyId, m.periodEnd, m.fiscalYear, m.fiscalQuarter, m.revenue, m.grossProfit, m.operatingIncome, m.netIncome, m.ebitda, m.freeCashFlow, m.totalAssets, m.totalDebt, m.eps];
          }
        })(),
      ),
      filings: await copyRows(
        client,
        'filings',
        ['company_id', 'form_type', 'filed_at', 'period_end', 'title', 'url'],
        (function* () {
          for (const f of generateFilings(size, companies)) yield [f.companyId, f.formType, f.filedAt, f.periodEnd, f.title, f.url];
        })(),
      ),
      clients: await copyRows(
        client,
        'api_clients',
        ['client_id', 'secret_hash', 'tier', 'scopes'],
        SEED_CLIENTS.map((c, i) => [c.clientId, hashes[i]!, c.tier, `{${c.scopes.join(',')}}`]),
      ),
    };
    await client.query('COMMIT');
    await client.query('ANALYZE companies, financial_metrics, filings, reports, api_clients');
    return counts;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
