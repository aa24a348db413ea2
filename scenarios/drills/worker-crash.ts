// worker-crash: one of two target workers is killed. Promise: it is replaced, errors stay within budget, and the
// recovery time (until the worker count is whole again) is measured and held against our RTO of 10 minutes.

import { defineScenario } from '../../src/scenario/define.ts';
import { collectors, data, journeys, setup, TARGET_BASE_URL } from '../journeys.ts';
import { DRILL_PROFILES, phasedStages } from './drill-kit.ts';

export default defineScenario({
  name: 'worker-crash',
  description: 'one of two target workers is killed under steady load',
  target: { baseUrl: TARGET_BASE_URL },
  lab: { workers: 2 },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: phasedStages(100, [['before', '15s'], ['crash', '30s'], ['after', '15s']]),
    gracefulRampDown: '5s',
  },
  faults: [{ action: 'worker-kill', at: '30s' }],
  setup,
  journeys,
  data,
  thresholds: {
    recovery_time: ['max<600000'],
    'http_req_failed{phase:crash}': ['rate<0.01'],
    'http_req_failed{phase:after}': ['rate==0'],
  },
  collectors,
  profiles: DRILL_PROFILES,
});
