// db-network: network faults between the service and its database, through the lab's fault proxy (Toxiproxy's
// names): 200 ms of added latency (20 ms jitter), a 15-second black hole (nothing gets through; the connections it
// held are closed when it ends), then every connection reset. Promise: during the black hole the API answers with a
// fast 503 (within twice its 1 s query timeout, DB_QUERY_TIMEOUT_MS) instead of hanging, and the error rate is back
// under 0.1% within 10 s after each fault ends (the `settle` phases are not judged on errors; the one after the black hole is judged on latency, since a request that hangs there is recorded when it ends),
// and every server connection is again one the pool holds (db_connections_leaked: server connections less the pool's,
// the fewest of the last phase above the most before the first fault), so nothing leaked.

import { defineScenario } from '../../src/scenario/define.ts';
import { collectors, data, setup, TARGET_BASE_URL } from '../journeys.ts';
import { drillJourneys, phasedStages } from './drill-kit.ts';

/** The target's query timeout in this drill; the fast-503 gate is twice it. */
const QUERY_TIMEOUT_MS = 1_000;

export default defineScenario({
  name: 'db-network',
  description: 'latency, a black hole and connection resets between the service and PostgreSQL',
  target: { baseUrl: TARGET_BASE_URL },
  lab: { dbProxy: true, targetEnv: { DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS) } },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: phasedStages(40, [
      ['before', '15s'], ['latency', '15s'], ['settle', '10s'], ['after-latency', '10s'],
      // 3 s longer than the black hole: a request hanging until it ends is recorded inside the phase (an interval that
      // straddles a phase boundary belongs to neither window).
      ['blackhole', '18s'], ['blackhole-settle', '10s'], ['after-blackhole', '10s'],
      ['settle', '10s'], ['after-reset', '10s'],
    ]),
    gracefulRampDown: '5s',
  },
  faults: [
    { action: 'db-latency', at: '30s', duration: '15s', params: { latencyMs: 200, jitterMs: 20 } },
    { action: 'db-blackhole', at: '65s', duration: '15s' },
    { action: 'db-reset', at: '103s' },
  ],
  setup,
  journeys: drillJourneys(),
  data,
  thresholds: {
    'http_req_duration{phase:blackhole}': [`max<${2 * QUERY_TIMEOUT_MS}`],
    // Requests are recorded when they end: one that hung through the black hole must be fast again just after it.
    'http_req_duration{phase:blackhole-settle}': [`max<${2 * QUERY_TIMEOUT_MS}`],
    'http_req_failed{phase:before}': ['rate<0.001'],
    'http_req_failed{phase:after-latency}': ['rate<0.001'],
    'http_req_failed{phase:after-blackhole}': ['rate<0.001'],
    'http_req_failed{phase:after-reset}': ['rate<0.001'],
    db_connections_leaked: ['max==0'],
  },
  collectors,
  // The drill shares the machine's cores with what it injects (a restore, a promotion, a proxy), so the generator's
  // event loop lags more than under a plain load. A lag only lengthens what the client measures (an RTO, a 503's
  // time), so it can fail these gates, not pass them; up to 1 s it does not make the run invalid.
  saturation: { maxLoopLagP99: '1s' },
  profiles: { ci: { time: 0.5, load: 0.5 }, smoke: { time: 0.4, load: 0.25 } },
});
