// upstream-outage: the market-data provider goes down for a minute. Promise: the circuit breaker opens within 10 s,
// quotes degrade to stale data (or a fast 503) instead of timing out, every other endpoint keeps its SLOs (no
// cascade), and the breaker closes after recovery.
// Sized for its percentiles: at ci (150 users, a 48 s outage) the outage phase holds about 1,400 quotes (their p99
// needs at least 10 past it) and 270 of each other step (p95); the quote weight (15 of 26.2) balances the two. A
// longer outage rather than more users keeps the request rate (about 75/s) modest for a 2-core machine. Smoke runs
// the same users for a 12 s outage.

import { defineScenario } from '../../src/scenario/define.ts';
import { collectors, data, setup, TARGET_BASE_URL } from '../journeys.ts';
import { drillJourneys, noCascade, phasedStages } from './drill-kit.ts';

export default defineScenario({
  name: 'upstream-outage',
  description: 'the market-data provider is down for a minute under steady load',
  target: { baseUrl: TARGET_BASE_URL },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: phasedStages(500, [['before', '15s'], ['outage', '60s'], ['recovery', '30s']]),
    gracefulRampDown: '5s',
  },
  faults: [{ action: 'upstream-outage', at: '30s', duration: '1m' }],
  setup,
  journeys: drillJourneys(15),
  data,
  thresholds: {
    breaker_open_delay: ['max<10000'],
    'http_req_duration{name:quote,phase:outage}': ['p(99)<250'],
    ...noCascade('outage', 100, 0.001),
    'circuit_breaker_state{phase:recovery}': ['value==0'],
  },
  collectors,
  profiles: { ci: { time: 0.8, load: 0.3 }, smoke: { time: 0.2, load: 0.3 } },
});
