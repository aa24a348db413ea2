// cache-outage: Redis stops for 30 s. Promise: the API keeps answering from PostgreSQL with a bounded latency rise,
// the rate limiter fails open as documented (no 429 and no 5xx while Redis is away), and the cache hit ratio recovers.
// Redis keeps its data across the stop (append-only file), and the popular companies (Zipf picks, see baseline.ts)
// are cached again within seconds, so the recovery phase judges a warm cache. 100 users at full and 50 at ci and
// smoke, so each phase holds over 200 requests at ci (p95 needs at least 10 requests past it).

import { defineScenario } from '../../src/scenario/define.ts';
import { collectors, data, setup, TARGET_BASE_URL } from '../journeys.ts';
import { DRILL_PROFILES, drillJourneys, phasedStages } from './drill-kit.ts';

export default defineScenario({
  name: 'cache-outage',
  description: 'Redis is stopped for 30 s under steady load',
  target: { baseUrl: TARGET_BASE_URL },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: phasedStages(100, [['before', '15s'], ['outage', '30s'], ['recovery', '30s']]),
    gracefulRampDown: '5s',
  },
  faults: [{ action: 'redis-stop', at: '30s', duration: '30s' }],
  setup,
  journeys: drillJourneys(),
  data,
  thresholds: {
    'http_req_failed{phase:outage}': ['rate<0.001'],
    'http_req_duration{phase:outage}': ['p(95)<300'],
    'http_req_duration{phase:recovery}': ['p(95)<100'],
    'cache_hit_ratio{phase:recovery}': ['value>0.8'],
  },
  collectors,
  profiles: DRILL_PROFILES,
});
