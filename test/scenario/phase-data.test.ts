import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedInPhase, gatedPhaseIssues, phaseLoad } from '../../src/scenario/phase-data.ts';
import { applyProfile } from '../../src/scenario/profile.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import type { ScenarioDefinition } from '../../src/scenario/types.ts';

/** A closed-model scenario: 10 VUs in steady, 1 VU in a 10 s recovery; one journey of two steps, 1 s think each. */
function closed(patch: Record<string, unknown> = {}): ScenarioDefinition {
  return validateScenario({
    name: 'c',
    target: { baseUrl: 'http://127.0.0.1:1' },
    load: {
      executor: 'ramping-vus',
      startVUs: 10,
      stages: [{ duration: '60s', target: 10, name: 'steady' }, { duration: '10s', target: 1, name: 'ramp-down' }, { duration: '10s', target: 1, name: 'recovery' }],
    },
    journeys: [{ name: 'j', steps: [{ name: 'a', path: '/a', think: '1s' }, { name: 'b', path: '/b', think: '500ms-1500ms' }] }],
    ...patch,
  });
}

test('a phase load sums every stage bearing the name', () => {
  const def = closed({ load: { executor: 'ramping-vus', startVUs: 2, stages: [
    { duration: '10s', target: 2, name: 'steady' }, { duration: '10s', target: 8, name: 'spike' }, { duration: '5s', target: 2, name: 'steady' },
  ] } });
  assert.deepEqual(phaseLoad(def, 'steady'), { durationMs: 15_000, volume: 20 + (8 + 2) / 2 * 5 });
  assert.deepEqual(phaseLoad(def, 'nope'), { durationMs: 0, volume: 0 });
});

const expectations: Array<[string, ScenarioDefinition, string, string | undefined, { iterations: number; requests: number }]> = [
  // 10 VUs x 60 s = 600 VU-s; an iteration thinks 2 s on average (1 s + 1 s) -> 300 iterations of 2 requests
  ['a closed model: VU-seconds over the mean think time of an iteration', closed(), 'steady', undefined, { iterations: 300, requests: 600 }],
  ['a closed model, one step name', closed(), 'recovery', 'a', { iterations: 5, requests: 5 }],
  ['a closed model without think time is latency-bound: plenty', closed({ journeys: [{ name: 'j', steps: [{ name: 'a', path: '/' }] }] }), 'steady', undefined, { iterations: Infinity, requests: Infinity }],
  ['an open model: the integral of the rate, times the requests of an iteration', validateScenario({
    name: 'o', target: { baseUrl: 'http://127.0.0.1:1' },
    load: { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', preAllocatedVUs: 5, stages: [{ duration: '10s', target: 4, name: 'up' }] },
    journeys: [{ name: 'j', weight: 3, steps: [{ name: 'a', path: '/' }] }, { name: 'k', weight: 1, steps: [{ name: 'a', path: '/' }, { name: 'b', path: '/' }] }],
  }), 'up', undefined, { iterations: 20, requests: 25 }],
];
for (const [name, def, phase, step, expected] of expectations) {
  test(`expected traffic in a phase: ${name}`, () => {
    assert.deepEqual(expectedInPhase(def, phase, step), expected);
  });
}

test('a gated phase scaled to no data names the phase, the profile and the threshold', () => {
  const def = closed({
    thresholds: { 'http_req_failed{phase:recovery}': ['rate==0'], 'http_req_failed{phase:steady}': ['rate<0.01'] },
    profiles: { smoke: { time: 0.1, load: 0.1 } },
  });
  assert.deepEqual(gatedPhaseIssues(def, 'full'), [], 'at full size: 10 s and about 5 iterations of 2 requests');
  const smoke = applyProfile(def, 'smoke'); // steady: 6 s at 1 VU, 6 requests; recovery: 1 s at 1 VU
  assert.deepEqual(gatedPhaseIssues(smoke, 'smoke'), [{
    path: 'thresholds["http_req_failed{phase:recovery}"]',
    message: 'at the smoke profile, phase "recovery" lasts 1s and is expected to hold about 1.0 requests: too little to judge "rate==0" (a gated phase needs at least 3s and 5 expected requests; scale it less in profiles.smoke, or lengthen the phase or raise its load)',
  }]);
});

const rules: Array<[string, Record<string, string[]>, Record<string, unknown>, RegExp | undefined]> = [
  ['a per-tick client metric needs only the length', { 'vus{phase:recovery}': ['value>0'] }, {}, undefined],
  ['a step filter counts that step only', { 'http_req_duration{name:a,phase:recovery}': ['p(95)<100'] }, { journeys: [{ name: 'j', steps: [{ name: 'a', path: '/', think: '4s' }, { name: 'b', path: '/', think: '1s' }] }] }, /about 2\.0 "a" requests/],
  ['iteration metrics count iterations', { 'iterations{phase:recovery}': ['count>0'] }, { journeys: [{ name: 'j', steps: [{ name: 'a', path: '/', think: '3s' }] }] }, /about 3\.3 iterations/],
  ['a server metric needs three collector intervals', { 'cache_hit_ratio{phase:recovery}': ['value>0.8'] }, { collectors: { interval: '5s' } }, /lasts 10s: too little .* needs at least 15s;/],
  ['a server metric at the default interval', { 'cache_hit_ratio{phase:recovery}': ['value>0.8'] }, {}, undefined],
  ['a phase that names no stage is left to its own check', { 'http_req_failed{phase:nope}': ['rate==0'] }, {}, undefined],
];
for (const [name, thresholds, patch, expected] of rules) {
  test(`the gated-phase rule: ${name}`, () => {
    const found = gatedPhaseIssues(closed({ thresholds, ...patch }), 'full').map((i) => i.message);
    if (expected) assert.match(found.join('\n'), expected);
    else assert.deepEqual(found, []);
  });
}
