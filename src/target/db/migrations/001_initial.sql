-- The Corporate Intelligence Platform schema: companies, their quarterly financials, filings, analyst reports,
-- and the API clients allowed to ask for tokens.

CREATE TABLE companies (
  id            integer PRIMARY KEY,
  ticker        text NOT NULL UNIQUE,
  name          text NOT NULL,
  sector        text NOT NULL,
  industry      text NOT NULL,
  country       text NOT NULL,
  exchange      text NOT NULL,
  market_cap    bigint NOT NULL,
  employees     integer NOT NULL,
  founded_year  integer NOT NULL,
  description   text NOT NULL,
  report_count  integer NOT NULL DEFAULT 0,
  latest_rating text,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX companies_sector_ticker_idx ON companies (sector, ticker);
CREATE INDEX companies_lower_name_idx ON companies (lower(name) text_pattern_ops);

CREATE TABLE financial_metrics (
  company_id       integer NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  period_end       date NOT NULL,
  fiscal_year      integer NOT NULL,
  fiscal_quarter   smallint NOT NULL CHECK (fiscal_quarter BETWEEN 1 AND 4),
  revenue          bigint NOT NULL,
  gross_profit     bigint NOT NULL,
  operating_income bigint NOT NULL,
  net_income       bigint NOT NULL,
  ebitda           bigint NOT NULL,
  free_cash_flow   bigint NOT NULL,
  total_assets     bigint NOT NULL,
  total_debt       bigint NOT NULL,
  eps              numeric(12, 2) NOT NULL,
  PRIMARY KEY (company_id, period_end)
);
CREATE INDEX financial_metrics_year_idx ON financial_metrics (fiscal_year, company_id);

CREATE TABLE filings (
  id          bigserial PRIMARY KEY,
  company_id  integer NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  form_type   text NOT NULL,
  filed_at    date NOT NULL,
  period_end  date NOT NULL,
  title       text NOT NULL,
  url         text NOT NULL
);
CREATE INDEX filings_company_filed_idx ON filings (company_id, filed_at DESC);

CREATE TABLE reports (
  id          bigserial PRIMARY KEY,
  company_id  integer NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  author      text NOT NULL,
  title       text NOT NULL,
  rating      text NOT NULL CHECK (rating IN ('buy', 'hold', 'sell')),
  summary     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_company_idx ON reports (company_id, created_at DESC);

CREATE TABLE api_clients (
  client_id   text PRIMARY KEY,
  secret_hash text NOT NULL,
  tier        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
