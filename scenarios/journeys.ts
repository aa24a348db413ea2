// The user journey mix against the reference target, shared by every scenario: browse and filter companies, open a
// company, read its metrics and filings, the leaderboard, quotes, and an occasional report written.

import type { Journey, ScenarioDefinition, Step } from '../src/scenario/types.ts';

/** The bundled target's default address; `--lab` and `--target` override it. */
export const TARGET_BASE_URL = 'http://127.0.0.1:8080';

const auth = { authorization: 'Bearer {{token}}' };
const think = '1s-3s';

/**
 * Gets an access token before the load (the load-test client, seeded by the lab, client_credentials), and again
 * every 10 minutes: the target's tokens live 15 minutes, and the normal and peak scenarios run longer.
 */
export const setup: NonNullable<ScenarioDefinition['setup']> = {
  refreshEvery: '10m',
  steps: [
    {
      name: 'auth-token',
      method: 'POST',
      path: '/api/v1/auth/token',
      body: { clientId: 'perfgate-load', clientSecret: 'perfgate-load-secret' },
      expect: [200],
      capture: { token: '$.access_token' },
    },
  ],
};

/** Journeys weighted like the production traffic mix: mostly reads, a few quotes, an occasional write. */
export const journeys: Journey[] = [
  {
    name: 'browse',
    weight: 5,
    steps: [
      { name: 'list-companies', method: 'GET', path: '/api/v1/companies?limit=20&sector={{sector}}', headers: auth, think, check: { status: 200 } },
      { name: 'company', method: 'GET', path: '/api/v1/companies/{{ticker}}', headers: auth, think, check: { status: 200 } },
      { name: 'company-metrics', method: 'GET', path: '/api/v1/companies/{{ticker}}/metrics?period=quarterly', headers: auth, think, check: { status: 200 } },
    ],
  },
  {
    name: 'research',
    weight: 3,
    steps: [
      { name: 'company', method: 'GET', path: '/api/v1/companies/{{ticker}}', headers: auth, think, check: { status: 200 } },
      { name: 'filings', method: 'GET', path: '/api/v1/companies/{{ticker}}/filings?limit=10', headers: auth, think, check: { status: 200 } },
      { name: 'leaderboard', method: 'GET', path: '/api/v1/metrics/leaderboard?metric=revenue&limit=10', headers: auth, think, check: { status: 200 } },
    ],
  },
  {
    name: 'quotes',
    weight: 2,
    steps: [
      { name: 'quote', method: 'GET', path: '/api/v1/market/{{ticker}}/quote', headers: auth, think, check: { status: 200 } },
    ],
  },
  {
    name: 'write-report',
    weight: 0.2,
    steps: [
      {
        name: 'create-report',
        method: 'POST',
        path: '/api/v1/reports',
        headers: auth,
        body: { ticker: '{{ticker}}', title: 'Quarterly review', rating: 'hold', summary: 'Steady margins; watch the leverage.' },
        expect: [201],
        think,
      },
    ],
  },
];

/**
 * Data feeders: tickers and sectors of the target's seed. Tickers are picked like real company popularity, Zipf(1)
 * in file order (the first of the 200 tickers takes 17% of the views, the first 20 take 61%); the 9 sectors uniformly.
 */
export const data: ScenarioDefinition['data'] = {
  ticker: { file: 'fixtures/tickers.csv', column: 'ticker', pick: 'zipf' },
  sector: { file: 'fixtures/sectors.csv', column: 'sector', pick: 'random' },
};

/** Every server-side collector the bundled target supports. */
export const collectors: ScenarioDefinition['collectors'] = { prometheus: {}, postgres: {}, redis: {}, host: {} };
