// Deterministic seed data: companies, quarterly financial metrics and filings, all derived from fixed seeds.
// Pure: no clock, no I/O. The same size always yields the same rows (and the same tickers, in the same order).

import { createPrng } from './prng.ts';

/** A seed size: `small` loads in seconds for tests, `default` makes the metrics queries do real work. */
export type SeedSize = 'small' | 'default';

/** The shape of each seed size. */
export interface SeedShape {
  companies: number;
  firstYear: number;
  lastYear: number;
}

/** The seed sizes; years are fixed so that the data never depends on today's date. */
export const SEED_SHAPES: Record<SeedSize, SeedShape> = {
  small: { companies: 200, firstYear: 2023, lastYear: 2025 },
  default: { companies: 2500, firstYear: 2016, lastYear: 2025 },
};

/** One company row. */
export interface CompanyRow {
  id: number;
  ticker: string;
  name: string;
  sector: string;
  industry: string;
  country: string;
  exchange: string;
  marketCap: number;
  employees: number;
  foundedYear: number;
  description: string;
}

/** One quarter of one company's financials (amounts in USD thousands, eps in USD). */
export interface MetricRow {
  companyId: number;
  periodEnd: string;
  fiscalYear: number;
  fiscalQuarter: number;
  revenue: number;
  grossProfit: number;
  operatingIncome: number;
  netIncome: number;
  ebitda: number;
  freeCashFlow: number;
  totalAssets: number;
  totalDebt: number;
  eps: number;
}

/** One regulatory filing. */
export interface FilingRow {
  companyId: number;
  formType: string;
  filedAt: string;
  periodEnd: string;
  title: string;
  url: string;
}

const SECTORS: Record<string, string[]> = {
  Technology: ['Software', 'Semiconductors', 'IT Services', 'Hardware'],
  Healthcare: ['Biotechnology', 'Pharmaceuticals', 'Medical Devices', 'Health Insurance'],
  Financials: ['Banks', 'Insurance', 'Asset Management', 'Payments'],
  Energy: ['Oil & Gas', 'Renewables', 'Utilities'],
  Industrials: ['Aerospace', 'Machinery', 'Logistics', 'Construction'],
  Consumer: ['Retail', 'Food & Beverage', 'Apparel', 'Leisure'],
  Materials: ['Chemicals', 'Metals & Mining', 'Packaging'],
  Communication: ['Media', 'Telecom', 'Entertainment'],
  RealEstate: ['REITs', 'Real Estate Services'],
};
/** The sector names, in a fixed order. */
export const SECTOR_NAMES = Object.keys(SECTORS);

const SYLLABLES = ['ac', 'al', 'ar', 'bel', 'cor', 'dyn', 'el', 'fin', 'gen', 'hal', 'in', 'kor', 'lum', 'mar', 'nov',
  'or', 'pax', 'quan', 'ro', 'sol', 'tel', 'ux', 'vec', 'wes', 'xen', 'zen'];
const SUFFIXES = ['Corp', 'Inc', 'Group', 'Holdings', 'Systems', 'Labs', 'Industries', 'Partners'];
const COUNTRIES = ['US', 'US', 'US', 'US', 'GB', 'DE', 'FR', 'JP', 'CA', 'NL', 'CH', 'SE'];
const EXCHANGES = ['NYSE', 'NASDAQ', 'NASDAQ', 'NYSE'];
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const QUARTER_ENDS = ['03-31', '06-30', '09-30', '12-31'];

/** A 32-bit FNV-1a hash of a string, used to derive per-company seeds. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Generates the companies of a seed size, with unique 3- or 4-letter tickers. */
export function generateCompanies(size: SeedSize): CompanyRow[] {
  const shape = SEED_SHAPES[size];
  const rng = createPrng(20240601);
  const seen = new Set<string>();
  const rows: CompanyRow[] = [];
  while (rows.length < shape.companies) {
    const len = rng.next() < 0.6 ? 3 : 4;
    let ticker = '';
    for (let i = 0; i < len; i++) ticker += rng.pick([...LETTERS]);
    if (seen.has(ticker)) continue;
    seen.add(ticker);
    const sector = rng.pick(SECTOR_NAMES);
    const stem = rng.pick(SYLLABLES) + rng.pick(SYLLABLES) + (rng.next() < 0.4 ? rng.pick(SYLLABLES) : '');
    const name = `${stem[0]!.toUpperCase()}${stem.slice(1)} ${rng.pick(SUFFIXES)}`;
    const industry = rng.pick(SECTORS[sector]!);
    rows.push({
      id: rows.length + 1,
      ticker,
      name,
      sector,
      industry,
      country: rng.pick(COUNTRIES),
      exchange: rng.pick(EXCHANGES),
      marketCap: Math.round(10 ** (8 + rng.next() * 4.5)),
      employees: Math.round(10 ** (2 + rng.next() * 3.5)),
      foundedYear: rng.int(1890, 2020),
      description: `${name} is a ${industry.toLowerCase()} company in the ${sector} sector.`,
    });
  }
  return rows;
}

/** Yields every quarter of every company's financials, company by company, oldest quarter first. */
export function* generateMetrics(size: SeedSize, companies: readonly CompanyRow[]): Generator<MetricRow> {
  const shape = SEED_SHAPES[size];
  for (const c of companies) {
    const rng = createPrng(hash32(`metrics:${c.ticker}`));
    let revenue = c.marketCap / 1000 / (2 + rng.next() * 6) / 4;
    const growth = -0.01 + rng.next() * 0.05;
    const margin = -0.05 + rng.next() * 0.3;
    const shares = Math.max(1, Math.round(c.marketCap / (20 + rng.next() * 200) / 1000));
    const assets = revenue * (4 + rng.next() * 8);
    for (let year = shape.firstYear; year <= shape.lastYear; year++) {
      for (let q = 1; q <= 4; q++) {
        revenue = Math.max(1, revenue * (1 + growth + (rng.next() - 0.5) * 0.06));
        const quarterMargin = margin + (rng.next() - 0.5) * 0.08;
        const netIncome = revenue * quarterMargin;
        const r = (x: number): number => Math.round(x);
        yield {
          companyId: c.id,
          periodEnd: `${year}-${QUARTER_ENDS[q - 1]}`,
          fiscalYear: year,
          fiscalQuarter: q,
          revenue: r(revenue),
          grossProfit: r(revenue * (0.3 + margin)),
          operatingIncome: r(revenue * (quarterMargin + 0.05)),
          netIncome: r(netIncome),
          ebitda: r(revenue * (quarterMargin + 0.12)),
          freeCashFlow: r(netIncome * (0.6 + rng.next() * 0.6)),
          totalAssets: r(assets * (1 + (year - shape.firstYear) * growth * 4)),
          totalDebt: r(assets * (0.1 + rng.next() * 0.3)),
          eps: Math.round((netIncome / shares) * 100) / 100,
        };
      }
    }
  }
}

/** Yields each company's filings: a 10-Q per quarter (10-K for Q4) and a few 8-Ks per year. */
export function* generateFilings(size: SeedSize, companies: readonly CompanyRow[]): Generator<FilingRow> {
  const shape = SEED_SHAPES[size];
  for (const c of companies) {
    const rng = createPrng(hash32(`filings:${c.ticker}`));
    for (let year = shape.firstYear; year <= shape.lastYear; year++) {
      for (let q = 1; q <= 4; q++) {
        const periodEnd = `${year}-${QUARTER_ENDS[q - 1]}`;
        const annual = q === 4;
        const filedMonth = annual ? 2 : q * 3 + 1;
        const filedYear = annual ? year + 1 : year;
        const filedAt = `${filedYear}-${String(filedMonth).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
        const formType = annual ? '10-K' : '10-Q';
        yield {
          companyId: c.id,
          formType,
          filedAt,
          periodEnd,
          title: `${c.name} ${annual ? 'annual report' : `quarterly report Q${q}`} ${year}`,
          url: `https://filings.example.com/${c.ticker}/${year}Q${q}-${formType}`,
        };
      }
      const events = rng.int(0, 2);
      for (let e = 0; e < events; e++) {
        const month = rng.int(1, 12);
        const day = rng.int(1, 28);
        yield {
          companyId: c.id,
          formType: '8-K',
          filedAt: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
          periodEnd: `${year}-${QUARTER_ENDS[Math.floor((month - 1) / 3)]}`,
          title: `${c.name} current report (${rng.pick(['earnings', 'leadership change', 'acquisition', 'dividend'])})`,
          url: `https://filings.example.com/${c.ticker}/${year}-8K-${e + 1}`,
        };
      }
    }
  }
}

/** Formats one row for PostgreSQL's COPY text format (tab-separated, \N for null, escapes backslash/tab/newline). */
export function copyLine(values: ReadonlyArray<string | number | null>): string {
  return (
    values
      .map((v) =>
        v === null
          ? '\\N'
          : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'),
      )
      .join('\t') + '\n'
  );
}
