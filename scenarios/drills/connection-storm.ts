// connection-storm: 10,000 concurrent PostgreSQL clients through PgBouncer in transaction mode. Each VU holds its own
// connection and runs a short query with think time. Promise: every client connects and is served, query p95 < 50 ms,
// and PgBouncer never opens more server connections than its pool (25, far under PostgreSQL's limit).
// Needs an open-file limit above 10,000 for the generator and PgBouncer (the lab raises it where allowed).

import { defineScenario } from '../../src/scenario/define.ts';

/** PgBouncer's default_pool_size in the lab. */
const POOL_SIZE = 25;

export default defineScenario({
  name: 'connection-storm',
  description: '10,000 PostgreSQL clients through PgBouncer (transaction mode)',
  target: { baseUrl: 'http://127.0.0.1:8080' },
  lab: { pgbouncer: true },
  connections: { bouncer: { url: 'lab:pgbouncer' } },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '1m', target: 10_000, name: 'connect' },
      { duration: '1m', target: 10_000, name: 'hold' },
      { duration: '10s', target: 0, name: 'ramp-down' },
    ],
    gracefulRampDown: '5s',
  },
  journeys: [
    {
      name: 'query',
      steps: [
        {
          type: 'sql',
          name: 'sector-count',
          connection: 'bouncer',
          sql: 'SELECT count(*) FROM companies WHERE sector = $1',
          params: ['Technology'],
          think: '1s-3s',
        },
      ],
    },
  ],
  thresholds: {
    sql_query_failed: ['rate==0'],
    sql_query_duration: ['p(95)<50'],
    'pgbouncer_sv_active{database:perfgate}': [`max<=${POOL_SIZE}`],
  },
  collectors: { pgbouncer: {}, postgres: {}, host: {} },
  profiles: { ci: { time: 0.5, load: 0.1 }, smoke: { time: 0.2, load: 0.02 } },
});
