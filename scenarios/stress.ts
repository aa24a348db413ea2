// stress: ramps to 5,000 users over 10 minutes to find the breaking point. Not gated on latency: the run reports the
// highest load at which every API SLO still held and the first SLO to break; what is gated is recovery: after the
// ramp-down, the error rate must be back to zero. The recovery phase holds a tenth of the peak load for three minutes,
// so that it holds enough requests to judge at every profile (at smoke: 20 users for 3.6 s; the validation asks at least 3 s).

import { defineScenario } from '../src/scenario/define.ts';
import { slos } from './slos.ts';
import { collectors, data, journeys, setup, TARGET_BASE_URL } from './journeys.ts';

export default defineScenario({
  name: 'stress',
  description: 'ramping to 5,000 users over 10 minutes, then recovery',
  target: { baseUrl: TARGET_BASE_URL },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '10m', target: 5000, name: 'ramp-up' },
      { duration: '1m', target: 500, name: 'ramp-down' },
      { duration: '3m', target: 500, name: 'recovery' },
    ],
    gracefulRampDown: '5s',
  },
  setup,
  journeys,
  data,
  capacity: slos.api,
  thresholds: { 'http_req_failed{phase:recovery}': ['rate==0'] },
  collectors,
  profiles: { ci: { time: 0.1, load: 0.04 }, smoke: { time: 0.02, load: 0.04 } },
});
