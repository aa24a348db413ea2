// normal: 500 users for 30 minutes (ramp, steady, ramp-down), gated on the normal-load criteria plus the database
// and cache SLOs.

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
      { duration: '25m', target: 500, name: 'steady' },
      { duration: '2m', target: 0, name: 'ramp-down' },
    ],
    gracefulRampDown: '5s',
  },
  setup,
  journeys,
  data,
  thresholds: mergeSlos(slos.normal, slos.database, onPhase(slos.cache, 'steady')),
  collectors,
  profiles: { ci: { time: 0.04, load: 0.1 }, smoke: { time: 0.01, load: 0.02 } },
});
