// baseline: 100 concurrent users for 10 minutes, gated on the API, database and cache SLOs (the cache once warm:
// its hit ratio is judged over the steady phase).
// `npm start` runs it at the ci profile (20 users for one minute) against the lab.

import { defineScenario } from '../src/scenario/define.ts';
import { mergeSlos, onPhase, slos } from './slos.ts';
import { collectors, data, journeys, setup, TARGET_BASE_URL } from './journeys.ts';

export default defineScenario({
  name: 'baseline',
  description: '100 concurrent users for 10 minutes',
  target: { baseUrl: TARGET_BASE_URL },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '1m', target: 100, name: 'ramp-up' },
      { duration: '8m', target: 100, name: 'steady' },
      { duration: '1m', target: 0, name: 'ramp-down' },
    ],
    gracefulRampDown: '5s',
  },
  setup,
  journeys,
  data,
  thresholds: mergeSlos(slos.api, slos.database, onPhase(slos.cache, 'steady')),
  collectors,
  profiles: { ci: { time: 0.1, load: 0.2 }, smoke: { time: 0.02, load: 0.1 } },
});
