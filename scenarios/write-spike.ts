// write-spike: two scenarios in one run (a `scenarios` map, as k6 has it). 100 users browse for 10 minutes; at
// minute 5 a spike of report writes arrives at up to 25 a second for 2 minutes, on top (at the ci profile 15 a second, so
// the writes hold the 200 requests a p(95) needs, about 225). The question it answers:
// do the reads keep their SLO while the writes come in? Each write drops the cached list pages, and takes a
// database connection of its own, so a spike of writes is what most often slows the reads of a cached API.
//
// Thresholds filter on the `scenario` tag: the reads during the spike ({scenario:browse,phase:write-spike}: a
// phase of the writes, which takes every scenario's requests while it runs) are held to the API's p95, and the
// writes to theirs. The cache is not gated: the writes empty its list pages on purpose.

import { defineScenario } from '../src/scenario/define.ts';
import { mergeSlos, slos } from './slos.ts';
import { collectors, data, journeys, setup, TARGET_BASE_URL } from './journeys.ts';

export default defineScenario({
  name: 'write-spike',
  description: '100 users browsing for 10 minutes, with a 2-minute spike of 25 report writes a second at minute 5',
  target: { baseUrl: TARGET_BASE_URL },
  scenarios: {
    browse: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '2m', target: 100, name: 'ramp-up' },
        { duration: '8m', target: 100, name: 'steady' },
      ],
      gracefulRampDown: '5s',
      exec: { browse: 5, research: 3, quotes: 2 },
    },
    writes: {
      executor: 'ramping-arrival-rate',
      startTime: '5m',
      startRate: 0,
      timeUnit: '1s',
      // Each write is followed by the journey's 1-3 s think time, which holds its VU: 25 a second need about 60.
      preAllocatedVUs: 60,
      maxVUs: 100,
      stages: [
        { duration: '30s', target: 25, name: 'spike-up' },
        { duration: '2m', target: 25, name: 'write-spike' },
        { duration: '30s', target: 0, name: 'spike-down' },
      ],
      exec: 'write-report',
    },
  },
  setup,
  journeys,
  data,
  thresholds: mergeSlos(slos.api, slos.database, {
    'http_req_duration{scenario:browse,phase:write-spike}': ['p(95)<100'],
    'http_req_duration{scenario:writes}': ['p(95)<200'],
    'http_req_failed{scenario:writes}': ['rate<0.001'],
  }),
  collectors,
  profiles: { ci: { time: 0.1, load: 0.6 }, smoke: { time: 0.03, load: 0.5 } },
});
