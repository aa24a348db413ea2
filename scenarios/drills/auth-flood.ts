// auth-flood: under steady authenticated load, 150 "clients" from 30 loopback source addresses flood
// POST /auth/token with wrong secrets for 30 s. Promise: the authenticated API keeps p95 < 100 ms and errors < 0.1%
// during the flood, the flood is answered with 429s (refused before any database or bcrypt work), and the real
// client's correct secret still works afterwards.

import { defineScenario } from '../../src/scenario/define.ts';
import { collectors, data, setup, TARGET_BASE_URL } from '../journeys.ts';
import { DRILL_PROFILES, drillJourneys, phasedStages } from './drill-kit.ts';

export default defineScenario({
  name: 'auth-flood',
  description: 'a flood of bad logins from many clients under steady authenticated load',
  target: { baseUrl: TARGET_BASE_URL },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: phasedStages(50, [['before', '15s'], ['flood', '30s'], ['after', '15s']]),
    gracefulRampDown: '5s',
  },
  faults: [{ action: 'login-flood', at: '30s', duration: '30s', params: { clients: 150, sources: 30 } }],
  setup,
  journeys: drillJourneys(),
  data,
  thresholds: {
    'http_req_failed{phase:flood}': ['rate<0.001'],
    'http_req_duration{phase:flood}': ['p(95)<100'],
    login_flood_refused_ratio: ['value>0.9'],
    login_after_flood_ok: ['value==1'],
  },
  collectors,
  // At ci the flood phase is 18 s of 30 users, about 240 requests: enough for its p(95) to gate (200 or more).
  profiles: { ...DRILL_PROFILES, ci: { time: 0.6, load: 0.6 } },
});
