// JSON schemas for every route's input (pure data). Fastify validates with Ajv; a failure is a 400 naming the field.

/** Options for the Ajv instance Fastify uses: unknown body fields are rejected, not silently dropped. */
export const AJV_OPTIONS = { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } as const;

const ticker = { type: 'string', pattern: '^[A-Za-z]{1,5}$', description: 'ticker symbol, 1 to 5 letters' } as const;
const isoDate = {
  type: 'string',
  pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
  description: 'a date, YYYY-MM-DD',
} as const;

/** Path parameters of the per-company routes. */
export const tickerParams = {
  type: 'object',
  required: ['ticker'],
  additionalProperties: false,
  properties: { ticker },
} as const;

/** Metric names the leaderboard can rank by. */
export const LEADERBOARD_METRICS = ['revenue', 'net_income', 'ebitda', 'free_cash_flow', 'operating_income'] as const;

/** Query of GET /companies. */
export const listCompaniesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sector: { type: 'string', minLength: 1, maxLength: 40 },
    q: { type: 'string', minLength: 1, maxLength: 40 },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    offset: { type: 'integer', minimum: 0, maximum: 100000, default: 0 },
    cursor: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,16}$' },
  },
} as const;

/** Query of GET /companies/:ticker/metrics. */
export const companyMetricsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    period: { type: 'string', enum: ['quarterly', 'annual'], default: 'quarterly' },
    from: isoDate,
    to: isoDate,
  },
} as const;

/** Query of GET /companies/:ticker/filings. */
export const filingsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: ['10-K', '10-Q', '8-K'] },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  },
} as const;

/** Query of GET /metrics/leaderboard. */
export const leaderboardQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    metric: { type: 'string', enum: LEADERBOARD_METRICS, default: 'revenue' },
    year: { type: 'integer', minimum: 1900, maximum: 2100 },
    sector: { type: 'string', minLength: 1, maxLength: 40 },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
  },
} as const;

/** Body of POST /reports. */
export const createReportBody = {
  type: 'object',
  additionalProperties: false,
  required: ['ticker', 'title', 'rating', 'summary'],
  properties: {
    ticker,
    title: { type: 'string', minLength: 1, maxLength: 200 },
    rating: { type: 'string', enum: ['buy', 'hold', 'sell'] },
    summary: { type: 'string', minLength: 1, maxLength: 5000 },
  },
} as const;

/** Body of POST /auth/token (client credentials). */
export const tokenBody = {
  type: 'object',
  additionalProperties: false,
  required: ['clientId', 'clientSecret'],
  properties: {
    grant_type: { type: 'string', enum: ['client_credentials'] },
    clientId: { type: 'string', minLength: 1, maxLength: 100 },
    clientSecret: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

/** One Ajv error, as much of it as the 400 body needs. */
export interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Names the field an Ajv error is about, e.g. `limit`, `body.title` → `title`, a missing `ticker` → `ticker` (pure). */
export function fieldOf(issue: ValidationIssue): string {
  const fromPath = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') {
    return fromPath ? `${fromPath}.${issue.params.missingProperty}` : issue.params.missingProperty;
  }
  if (issue.keyword === 'additionalProperties' && typeof issue.params.additionalProperty === 'string') {
    return fromPath ? `${fromPath}.${issue.params.additionalProperty}` : issue.params.additionalProperty;
  }
  return fromPath || '(root)';
}

/** A one-line message for a validation error, naming where and which field (pure). */
export function describeIssue(location: string, issue: ValidationIssue): string {
  const field = fieldOf(issue);
  if (issue.keyword === 'additionalProperties') return `${location} field "${field}" is not allowed`;
  if (issue.keyword === 'required') return `${location} field "${field}" is required`;
  return `${location} field "${field}" ${issue.message ?? 'is invalid'}`;
}
