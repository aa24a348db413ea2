// peak: 2,000 users for 15 minutes, gated on the peak-load criteria (p99 < 500 ms, errors < 1%, the service's CPU share p95 < 70%).

import { defineScenario } from '../src/scenario/define.ts';
import { slos } from './slos.ts';
import { collectors, data, journeys, setup, TARGET_BASE_URL } from './journeys.ts';

export default defineScenario({
  name: 'peak',
  description: '2,000 concurrent users for 15 minutes',
  target: { baseUrl: TARGET_BASE_URL },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '2m', target: 2000, name: 'ramp-up' },
      { duration: '12m', target: 2000, name: 'steady' },
      { duration: '1m', target: 0, name: 'ramp-down' },
    ],
    gracefulRampDown: '5s',
  },
  setup,
  journeys,
  data,
  thresholds: slos.peak,
  collectors,
  // At ci the run lasts 4.5 minutes: the service-CPU p(95), sampled once a second, needs 200 samples to gate.
  profiles: { ci: { time: 0.3, load: 0.05 }, smoke: { time: 0.015, load: 0.01 } },
});
