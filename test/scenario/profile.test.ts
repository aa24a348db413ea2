import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProfile, profileScale, scaleCount } from '../../src/scenario/profile.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import { plannedDurationMs } from '../../src/scenario/stages.ts';
import type { LoadOptions, ScenarioDefinition } from '../../src/scenario/types.ts';
import { ConfigError } from '../../src/errors.ts';

function scenario(load: LoadOptions, extra: Partial<ScenarioDefinition> = {}): ScenarioDefinition {
  return {
    name: 'p',
    target: { baseUrl: 'http://127.0.0.1:1' },
    load,
    journeys: [{ name: 'j', steps: [{ name: 's', path: '/' }] }],
    ...extra,
  };
}

const baseline = scenario(
  {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '1m', target: 100, name: 'ramp-up' },
      { duration: '8m', target: 100, name: 'steady' },
      { duration: '1m', target: 0, name: 'ramp-down' },
    ],
    gracefulRampDown: '30s',
    gracefulStop: '30s',
  },
  { faults: [{ action: 'redis-stop', at: '2m', duration: '1m' }, { action: 'worker-kill', at: '0s' }] },
);

test('the full profile returns an equal copy, not the same object', () => {
  const out = applyProfile(baseline, 'full');
  assert.deepEqual(out, baseline);
  assert.notEqual(out, baseline);
  assert.notEqual(out.load, baseline.load);
});

test('the ci profile scales durations by 0.1 and VUs by 0.2 by default', () => {
  const out = applyProfile(baseline, 'ci');
  assert.deepEqual(out.load, {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '6s', target: 20, name: 'ramp-up' },
      { duration: '48s', target: 20, name: 'steady' },
      { duration: '6s', target: 0, name: 'ramp-down' },
    ],
    gracefulRampDown: '3s',
    gracefulStop: '3s',
  });
  assert.deepEqual(out.faults, [
    { action: 'redis-stop', at: '12s', duration: '6s' },
    { action: 'worker-kill', at: '0s' },
  ]);
  assert.equal(plannedDurationMs(out.load!), 60_000);
  assert.equal(baseline.load!.executor === 'ramping-vus' && baseline.load!.stages[0]!.duration, '1m', 'input untouched');
});

test('the smoke profile scales by 0.02 and 0.1, and no stage drops below 1 s', () => {
  const out = applyProfile(baseline, 'smoke');
  assert.ok(out.load!.executor === 'ramping-vus');
  assert.deepEqual(
    out.load!.stages.map((s) => [s.duration, s.target]),
    [
      ['1.2s', 10],
      ['9.6s', 10],
      ['1.2s', 0],
    ],
  );
  const short = applyProfile(
    scenario({ executor: 'ramping-vus', stages: [{ duration: '10s', target: 3 }, { duration: '0s', target: 5 }] }),
    'smoke',
  );
  assert.ok(short.load!.executor === 'ramping-vus');
  assert.deepEqual(short.load!.stages, [{ duration: '1s', target: 1 }, { duration: '0s', target: 1 }]);
});

test("a scenario's own profile scales override the defaults, one field at a time", () => {
  const def = { ...baseline, profiles: { ci: { load: 0.5 } } };
  assert.deepEqual(profileScale(def, 'ci'), { time: 0.1, load: 0.5 });
  assert.deepEqual(profileScale(def, 'smoke'), { time: 0.02, load: 0.1 });
  assert.deepEqual(profileScale(def, 'full'), { time: 1, load: 1 });
  const out = applyProfile(def, 'ci');
  assert.ok(out.load!.executor === 'ramping-vus');
  assert.equal(out.load!.stages[1]!.target, 50);
});

const openLoads: [string, LoadOptions, Record<string, unknown>][] = [
  [
    'constant-arrival-rate',
    { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '10m', preAllocatedVUs: 50, maxVUs: 400 },
    { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1m', preAllocatedVUs: 10, maxVUs: 80 },
  ],
  [
    'ramping-arrival-rate',
    { executor: 'ramping-arrival-rate', startRate: 3, timeUnit: '1m', preAllocatedVUs: 2, stages: [{ duration: '30s', target: 1000 }] },
    { executor: 'ramping-arrival-rate', startRate: 1, timeUnit: '1m', preAllocatedVUs: 1, stages: [{ duration: '3s', target: 200 }] },
  ],
  [
    'constant-vus',
    { executor: 'constant-vus', vus: 7, duration: '5s', gracefulStop: '2s' },
    { executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '200ms' },
  ],
  [
    'shared-iterations',
    { executor: 'shared-iterations', vus: 20, iterations: 1000, maxDuration: '5m', gracefulStop: '10s' },
    { executor: 'shared-iterations', vus: 4, iterations: 200, maxDuration: '30s', gracefulStop: '1s' },
  ],
  [
    'per-vu-iterations',
    { executor: 'per-vu-iterations', vus: 20, iterations: 7, maxDuration: '5m' },
    { executor: 'per-vu-iterations', vus: 4, iterations: 7, maxDuration: '30s' },
  ],
];
for (const [name, load, expected] of openLoads) {
  test(`the ci profile scales ${name} rates, VU pools and durations, keeping timeUnit`, () => {
    assert.deepEqual(applyProfile(scenario(load), 'ci').load, expected);
  });
}

test('the smoke profile keeps shared-iterations at one iteration per VU at least', () => {
  const out = applyProfile(scenario({ executor: 'shared-iterations', vus: 10, iterations: 12 }), 'smoke').load;
  assert.deepEqual(out, { executor: 'shared-iterations', vus: 1, iterations: 1 });
  const tight = applyProfile(scenario({ executor: 'shared-iterations', vus: 40, iterations: 44 }), 'ci', ).load;
  assert.deepEqual(tight, { executor: 'shared-iterations', vus: 8, iterations: 9 });
});

const counts: [number, number, number][] = [
  [100, 0.2, 20],
  [3, 0.1, 1],
  [1, 0.01, 1],
  [0, 0.5, 0],
  [15, 0.1, 2],
  [10, 2, 20],
];
for (const [n, scale, out] of counts) {
  test(`a count of ${n} scaled by ${scale} is ${out}`, () => assert.equal(scaleCount(n, scale), out));
}

test('every profile of a valid scenario is still valid', () => {
  for (const profile of ['full', 'ci', 'smoke'] as const) {
    for (const [, load] of openLoads) validateScenario(applyProfile(scenario(load), profile));
    validateScenario(applyProfile(baseline, profile));
  }
});

test('an unknown profile is a ConfigError listing the valid ones', () => {
  assert.throws(
    () => applyProfile(baseline, 'nightly' as 'ci'),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.issues[0]!.path === 'profile' &&
      err.issues[0]!.message === 'unknown profile "nightly" (expected one of full, ci, smoke)',
  );
});

test("a profile scales a fault's clients like the VUs, and leaves its other params alone", () => {
  const def = structuredClone(baseline);
  def.faults = [{ action: 'login-flood', at: '30s', duration: '30s', params: { clients: 150, sources: 30 } }];
  const out = applyProfile(def, 'ci');
  assert.deepEqual(out.faults![0]!.params, { clients: Math.round(150 * profileScale(def, 'ci').load!), sources: 30 });
});
