import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  plannedDurationMs,
  vusAt,
  rateAt,
  phaseAt,
  phases,
  peakVUs,
  peakRatePerS,
  arrivalTimesMs,
  iterateArrivalsMs,
  cumulativeIterations,
  isOpenModel,
  isIterationsModel,
  totalIterations,
} from '../../src/scenario/stages.ts';
import type { LoadOptions } from '../../src/scenario/types.ts';

const constantVus: LoadOptions = { executor: 'constant-vus', vus: 10, duration: '30s' };
const rampingVus: LoadOptions = {
  executor: 'ramping-vus',
  startVUs: 0,
  stages: [
    { duration: '10s', target: 10, name: 'ramp-up' },
    { duration: '20s', target: 10, name: 'steady' },
    { duration: '10s', target: 0, name: 'ramp-down' },
  ],
};
const constantRate: LoadOptions = {
  executor: 'constant-arrival-rate',
  rate: 100,
  timeUnit: '1s',
  duration: '10s',
  preAllocatedVUs: 10,
  maxVUs: 50,
};
const rampRate: LoadOptions = {
  executor: 'ramping-arrival-rate',
  startRate: 0,
  timeUnit: '1s',
  preAllocatedVUs: 5,
  stages: [{ duration: '10s', target: 100, name: 'ramp' }],
};

test('the planned duration is the duration or the sum of the stages', () => {
  assert.equal(plannedDurationMs(constantVus), 30_000);
  assert.equal(plannedDurationMs(rampingVus), 40_000);
  assert.equal(plannedDurationMs(constantRate), 10_000);
  assert.equal(plannedDurationMs(rampRate), 10_000);
});

const vusTable: [string, LoadOptions, number, number][] = [
  ['constant-vus at the start', constantVus, 0, 10],
  ['constant-vus at the end', constantVus, 30_000, 10],
  ['constant-vus after the end', constantVus, 30_001, 0],
  ['constant-vus without vus uses k6 default 1', { executor: 'constant-vus', duration: '1s' }, 500, 1],
  ['ramping-vus at 0', rampingVus, 0, 0],
  ['ramping-vus just before the first VU', rampingVus, 999, 0],
  ['ramping-vus when the line crosses 1', rampingVus, 1000, 1],
  ['ramping-vus half-way up', rampingVus, 5000, 5],
  ['ramping-vus just before the top', rampingVus, 9999, 9],
  ['ramping-vus at the stage boundary', rampingVus, 10_000, 10],
  ['ramping-vus in steady', rampingVus, 20_000, 10],
  ['ramping-vus at the start of the ramp down', rampingVus, 30_000, 10],
  ['ramping-vus one second into the ramp down', rampingVus, 31_000, 9],
  ['ramping-vus just before the end', rampingVus, 39_999, 1],
  ['ramping-vus at the end', rampingVus, 40_000, 0],
  ['ramping-vus before the start', rampingVus, -1, 0],
  ['an open model has no VU schedule', constantRate, 1000, 0],
  [
    'ramping-vus with a zero-length stage jumps at once',
    { executor: 'ramping-vus', startVUs: 2, stages: [{ duration: '0s', target: 8 }, { duration: '5s', target: 8 }] },
    0,
    8,
  ],
];
for (const [name, load, t, vus] of vusTable) {
  test(`vusAt: ${name} (t=${t} ms) is ${vus}`, () => assert.equal(vusAt(load, t), vus));
}

const rateTable: [string, LoadOptions, number, number][] = [
  ['constant 100/s', constantRate, 0, 100],
  ['constant 100/s at the end', constantRate, 10_000, 100],
  ['constant after the end', constantRate, 10_001, 0],
  ['constant 30 per minute', { ...constantRate, rate: 30, timeUnit: '1m' } as LoadOptions, 500, 0.5],
  ['ramp at 0', rampRate, 0, 0],
  ['ramp half-way', rampRate, 5000, 50],
  ['ramp at the end', rampRate, 10_000, 100],
  ['ramp with timeUnit 100ms', { ...rampRate, timeUnit: '100ms' } as LoadOptions, 5000, 500],
  ['a closed model has no rate', constantVus, 1000, 0],
];
for (const [name, load, t, rate] of rateTable) {
  test(`rateAt: ${name} (t=${t} ms) is ${rate}/s`, () => assert.ok(Math.abs(rateAt(load, t) - rate) < 1e-9));
}

test('a constant 100/s starts one iteration every 10 ms from t = 0', () => {
  const times = arrivalTimesMs(constantRate, 0, 10_000);
  assert.equal(times.length, 1000);
  times.forEach((t, i) => assert.ok(Math.abs(t - i * 10) < 1e-6, `iteration ${i} at ${t}`));
});

test('a ramp 0 -> 100/s over 10 s starts 500 iterations at sqrt(200000 k) ms', () => {
  const times = arrivalTimesMs(rampRate, 0, 20_000);
  assert.equal(times.length, 500);
  for (const k of [0, 1, 2, 100, 250, 499]) assert.ok(Math.abs(times[k]! - Math.sqrt(200_000 * k)) < 1e-6);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! > times[i - 1]!, 'strictly increasing');
});

const countTable: [string, LoadOptions, number, number, number][] = [
  ['constant 100/s, first second', constantRate, 0, 1000, 100],
  ['constant 100/s, a window inside', constantRate, 2505, 2555, 5],
  ['constant 7 per 1s over 10s', { ...constantRate, rate: 7 } as LoadOptions, 0, 10_000, 70],
  ['constant 1 per 2s over 10s', { ...constantRate, rate: 1, timeUnit: '2s' } as LoadOptions, 0, 10_000, 5],
  ['ramp, first half', rampRate, 0, 5000, 125],
  ['ramp, second half', rampRate, 5000, 10_000, 375],
  [
    'ramp down 100 -> 0 over 10 s',
    { ...rampRate, startRate: 100, stages: [{ duration: '10s', target: 0 }] } as LoadOptions,
    0,
    10_000,
    500,
  ],
  [
    'hold at 0 then ramp: nothing during the hold',
    { ...rampRate, stages: [{ duration: '5s', target: 0 }, { duration: '10s', target: 100 }] } as LoadOptions,
    0,
    5000,
    0,
  ],
  [
    'three stages 0 -> 10 -> 10 -> 0 (5 s each)',
    {
      ...rampRate,
      stages: [
        { duration: '5s', target: 10 },
        { duration: '5s', target: 10 },
        { duration: '5s', target: 0 },
      ],
    } as LoadOptions,
    0,
    15_000,
    100,
  ],
];
for (const [name, load, from, to, n] of countTable) {
  test(`arrivalTimesMs: ${name} in [${from}, ${to}) gives ${n} iterations`, () => {
    const times = arrivalTimesMs(load, from, to);
    assert.equal(times.length, n);
    assert.ok(times.every((t) => t >= from && t < to));
    assert.equal(Math.ceil(cumulativeIterations(load, to) - 1e-9) - Math.ceil(cumulativeIterations(load, from) - 1e-9), n);
  });
}

test('resuming the arrival iterator from a time continues the same schedule', () => {
  const all = arrivalTimesMs(rampRate, 0, 10_000);
  const tail = [...iterateArrivalsMs(rampRate, 7000)];
  assert.deepEqual(tail, all.filter((t) => t >= 7000));
});

test('a closed model has no arrivals', () => {
  assert.deepEqual(arrivalTimesMs(constantVus, 0, 1e6), []);
  assert.equal(isOpenModel(constantVus), false);
  assert.equal(isOpenModel(rampRate), true);
});

test('phases are the named stages, with unnamed stages left out and same-named neighbours merged', () => {
  assert.deepEqual(phases(rampingVus), [
    { name: 'ramp-up', startMs: 0, endMs: 10_000 },
    { name: 'steady', startMs: 10_000, endMs: 30_000 },
    { name: 'ramp-down', startMs: 30_000, endMs: 40_000 },
  ]);
  const load: LoadOptions = {
    executor: 'ramping-vus',
    stages: [
      { duration: '1s', target: 5 },
      { duration: '2s', target: 5, name: 'steady' },
      { duration: '3s', target: 6, name: 'steady' },
    ],
  };
  assert.deepEqual(phases(load), [{ name: 'steady', startMs: 1000, endMs: 6000 }]);
  assert.deepEqual(phases(constantVus), []);
});

const phaseTable: [number, string | undefined][] = [
  [-1, undefined],
  [0, 'ramp-up'],
  [9999, 'ramp-up'],
  [10_000, 'steady'],
  [30_000, 'ramp-down'],
  [40_000, 'ramp-down'],
  [40_001, undefined],
];
for (const [t, name] of phaseTable) {
  test(`phaseAt ${t} ms is ${name ?? 'none'}`, () => assert.equal(phaseAt(rampingVus, t), name));
}

test('peaks: VUs of closed models, maxVUs of open ones, and the highest rate per second', () => {
  assert.equal(peakVUs(constantVus), 10);
  assert.equal(peakVUs(rampingVus), 10);
  assert.equal(peakVUs({ executor: 'ramping-vus', stages: [{ duration: '1s', target: 0 }] }), 1);
  assert.equal(peakVUs(constantRate), 50);
  assert.equal(peakVUs(rampRate), 5);
  assert.equal(peakRatePerS(constantVus), undefined);
  assert.equal(peakRatePerS(constantRate), 100);
  assert.equal(peakRatePerS({ ...rampRate, timeUnit: '1m' } as LoadOptions), 100 / 60);
});

test('the iteration-count executors: maxDuration (k6 default 10m) is the longest they run, their VUs the peak', () => {
  const shared: LoadOptions = { executor: 'shared-iterations', vus: 4, iterations: 10, maxDuration: '30s' };
  const perVu: LoadOptions = { executor: 'per-vu-iterations', vus: 3, iterations: 5 };
  assert.equal(plannedDurationMs(shared), 30_000);
  assert.equal(plannedDurationMs(perVu), 600_000);
  assert.equal(peakVUs(shared), 4);
  assert.equal(peakVUs({ executor: 'per-vu-iterations' }), 1);
  assert.equal(vusAt(perVu, 1000), 3);
  assert.equal(peakRatePerS(shared), undefined);
  assert.ok(isIterationsModel(shared) && isIterationsModel(perVu) && !isIterationsModel(constantVus));
  assert.equal(totalIterations(shared as never), 10);
  assert.equal(totalIterations(perVu as never), 15);
  assert.equal(totalIterations({ executor: 'shared-iterations' }), 1);
});
