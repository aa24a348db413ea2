// normal: 500 users for 30 minutes (ramp, warm-up, steady, ramp-down), gated on the normal-load criteria plus the
// database and cache SLOs. The cache is judged over `steady`, after the `warm-up` phase (see baseline.ts for the hit
// ratio a warm cache gives: at 500 users, the company detail serves 96% of its reads, and Redis 96% overall).

import { defineScenario } from '../src/scenario/define.ts';
import { mergeSlos, onPhase, slos } from './slos.ts';
import { collectors, data, journeys, setup, TARGET_BASE_URL } from './journeys.ts';

export default defineScenario({
  name: 'normal',
  description: '500 concurrent users for 30 minutes',
  target: { baseUrl: TARGET_BASE_URL },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '3m', target: 500, name: 'ramp-up' },
      { duration: '2m', target: 500, name: 'warm-up' },
      { duration: '23m', target: 500, name: 'steady' },
      { duration: '2m', target: 0, name: 'ramp-down' },
    ],
    gracefulRampDown: '5s',
  },
  setup,
  journeys,
  data,
  thresholds: mergeSlos(slos.normal, slos.database, onPhase(slos.cache, 'steady')),
  collectors,
  profiles: { ci: { time: 0.04, load: 0.1 }, smoke: { time: 0.01, load: 0.1 } },
});
