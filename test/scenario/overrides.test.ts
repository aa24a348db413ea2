import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyLoadOverrides, parseOverrideFlags, parseStageFlag, type LoadOverrides } from '../../src/scenario/overrides.ts';
import { resolveDefinition } from '../../src/scenario/load.ts';
import { ConfigError } from '../../src/errors.ts';
import type { LoadOptions } from '../../src/scenario/types.ts';

function issues(fn: () => unknown): string[] {
  try {
    fn();
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.exitCode, 104);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

const loads: Record<string, LoadOptions> = {
  cv: { executor: 'constant-vus', vus: 10, duration: '1m' },
  rv: { executor: 'ramping-vus', stages: [{ duration: '1m', target: 10 }] },
  car: { executor: 'constant-arrival-rate', rate: 50, duration: '1m', preAllocatedVUs: 10 },
  rar: { executor: 'ramping-arrival-rate', preAllocatedVUs: 5, stages: [{ duration: '1m', target: 10 }] },
  si: { executor: 'shared-iterations', vus: 2, iterations: 10 },
  pvi: { executor: 'per-vu-iterations', vus: 2, iterations: 3 },
};

const fits: [string, LoadOptions, LoadOverrides, Record<string, unknown>][] = [
  ['--vus and --duration on constant-vus', loads.cv!, { vus: 3, duration: '10s' }, { vus: 3, duration: '10s' }],
  ['--stage on ramping-vus', loads.rv!, { stages: [{ duration: '5s', target: 2, name: 'up' }] }, { stages: [{ duration: '5s', target: 2, name: 'up' }] }],
  ['--rate and --duration on constant-arrival-rate', loads.car!, { rate: 5, duration: '2s' }, { rate: 5, duration: '2s' }],
  ['--stage on ramping-arrival-rate', loads.rar!, { stages: [{ duration: '1s', target: 1 }] }, { stages: [{ duration: '1s', target: 1 }] }],
  ['--vus, --iterations and --duration on shared-iterations', loads.si!, { vus: 4, iterations: 8, duration: '30s' }, { vus: 4, iterations: 8, maxDuration: '30s' }],
  ['--iterations on per-vu-iterations', loads.pvi!, { iterations: 1 }, { iterations: 1 }],
];
for (const [name, load, o, want] of fits) {
  test(`an override fits: ${name}`, () => {
    assert.deepEqual(applyLoadOverrides(load, o), { ...load, ...want });
  });
}

const refusals: [string, LoadOptions, LoadOverrides, string[]][] = [
  ['--stage on constant-vus', loads.cv!, { stages: [{ duration: '1s', target: 1 }] }, ["--stage: does not fit the scenario's constant-vus executor, which has no stages (the flags that fit it: --vus, --duration)"]],
  ['--rate on constant-vus', loads.cv!, { rate: 3 }, ["--rate: does not fit the scenario's constant-vus executor, which has no rate field (the flags that fit it: --vus, --duration)"]],
  ['--vus and --duration on ramping-vus', loads.rv!, { vus: 3, duration: '1s' }, [
    "--vus: does not fit the scenario's ramping-vus executor, which has no vus field (the flags that fit it: --stage)",
    "--duration: does not fit the scenario's ramping-vus executor, which has no duration (the flags that fit it: --stage)",
  ]],
  ['--vus on constant-arrival-rate', loads.car!, { vus: 3 }, ["--vus: does not fit the scenario's constant-arrival-rate executor, which has no vus field (the flags that fit it: --rate, --duration)"]],
  ['--iterations on constant-arrival-rate', loads.car!, { iterations: 3 }, ["--iterations: does not fit the scenario's constant-arrival-rate executor, which has no iterations field (the flags that fit it: --rate, --duration)"]],
  ['--rate on ramping-arrival-rate', loads.rar!, { rate: 3 }, ["--rate: does not fit the scenario's ramping-arrival-rate executor, which has no rate field (the flags that fit it: --stage)"]],
  ['--stage on shared-iterations', loads.si!, { stages: [{ duration: '1s', target: 1 }] }, ["--stage: does not fit the scenario's shared-iterations executor, which has no stages (the flags that fit it: --vus, --iterations, --duration)"]],
  ['fewer shared iterations than VUs', loads.si!, { iterations: 1 }, ['--iterations: shared-iterations needs at least one iteration per VU: 1 iterations for 2 VUs']],
  ['more VUs than shared iterations', loads.si!, { vus: 11 }, ['--vus: shared-iterations needs at least one iteration per VU: 10 iterations for 11 VUs']],
];
for (const [name, load, o, want] of refusals) {
  test(`an override is refused, naming the flag: ${name}`, () => assert.deepEqual(issues(() => applyLoadOverrides(load, o)), want));
}

const stages: [string, unknown][] = [
  ['30s:10', { duration: '30s', target: 10 }],
  ['90:5', { duration: '1m30s', target: 5 }],
  ['1m:100:steady', { duration: '1m', target: 100, name: 'steady' }],
  ['500ms:0', { duration: '500ms', target: 0 }],
];
for (const [text, want] of stages) test(`--stage ${text} is a stage`, () => assert.deepEqual(parseStageFlag(text), want));

const badFlags: [string, Parameters<typeof parseOverrideFlags>[0], string[]][] = [
  ['a stage without a target', { stage: ['30s'] }, ['--stage: must be DURATION:TARGET (got "30s"; expected DURATION:TARGET or DURATION:TARGET:NAME, like 30s:10)']],
  ['a stage with a bad duration', { stage: ['soon:3'] }, [`--stage: invalid duration "soon" (expected a duration like '30s', '2m', '1h30m', '500ms', '1.5s', or a number of seconds)`]],
  ['a stage with a fractional target', { stage: ['1s:1', '1s:2.5'] }, ['--stage[1]: the target "2.5" must be a whole number (got "1s:2.5"; expected DURATION:TARGET or DURATION:TARGET:NAME, like 30s:10)']],
  ['a stage with a bad name', { stage: ['1s:1:a b'] }, ['--stage: the name "a b" must be letters, digits, ".", "_" and "-" (got "1s:1:a b"; expected DURATION:TARGET or DURATION:TARGET:NAME, like 30s:10)']],
  ['zero VUs and a word for iterations', { vus: '0', iterations: 'ten' }, ['--vus: must be a whole number of at least 1 (got "0")', '--iterations: must be a whole number of at least 1 (got "ten")']],
  ['a zero duration', { duration: '0s' }, ['--duration: must be longer than 0 (got "0s")']],
  ['a fractional rate', { rate: '1.5' }, ['--rate: must be a whole number of at least 1 (got "1.5")']],
];
for (const [name, flags, want] of badFlags) test(`override flags are checked: ${name}`, () => assert.deepEqual(issues(() => parseOverrideFlags(flags)), want));

test('override flags parse into overrides; a bare number is seconds', () => {
  assert.deepEqual(parseOverrideFlags({ vus: '3', duration: '90', iterations: '7', rate: '20', stage: ['10s:5', '20s:0'] }), {
    vus: 3, duration: '1m30s', iterations: 7, rate: 20, stages: [{ duration: '10s', target: 5 }, { duration: '20s', target: 0 }],
  });
  assert.deepEqual(parseOverrideFlags({ stage: [] }), {});
});

const def = {
  name: 'o',
  target: { baseUrl: 'http://127.0.0.1:1' },
  load: { executor: 'ramping-vus', stages: [{ duration: '1m', target: 10, name: 'steady' }] },
  journeys: [{ name: 'j', steps: [{ name: 's', path: '/' }] }],
  thresholds: { 'http_req_failed{phase:steady}': ['rate<0.01'] },
};

test('overrides apply after the profile, and the run keeps exactly the values given', async () => {
  const r = await resolveDefinition(def, { profile: 'smoke', overrides: { stages: [{ duration: '20s', target: 3, name: 'steady' }] } });
  assert.deepEqual(r.definition.load, { executor: 'ramping-vus', stages: [{ duration: '20s', target: 3, name: 'steady' }] });
  assert.equal(r.plannedDurationMs, 20_000);
  assert.equal(r.peakVUs, 3);
  assert.equal(r.original.load!.executor === 'ramping-vus' && r.original.load!.stages[0]!.duration, '1m', 'the original is as written');
});

test('a misfit override or stages that drop a gated phase stop the run before it starts, naming the flag or the threshold', async () => {
  await assert.rejects(resolveDefinition(def, { overrides: { vus: 2 } }), (err: ConfigError) =>
    err.issues.some((i) => i.path === '--vus' && /does not fit the scenario's ramping-vus executor/.test(i.message)));
  await assert.rejects(resolveDefinition(def, { overrides: { stages: [{ duration: '20s', target: 3 }] } }), (err: ConfigError) =>
    err.issues.some((i) => i.path === 'thresholds["http_req_failed{phase:steady}"]' && /phase "steady" names no stage/.test(i.message)));
});
