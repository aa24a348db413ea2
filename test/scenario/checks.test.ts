import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phaseTagIssues, templateIssues, thresholdIssues } from '../../src/scenario/checks.ts';

const base = {
  name: 't',
  target: { baseUrl: 'http://127.0.0.1:1' },
  load: { executor: 'ramping-vus', stages: [{ duration: '10s', target: 2, name: 'warm-up' }, { duration: '10s', target: 2, name: 'steady' }] },
};

const lines = (issues: { path: string; message: string }[]) => issues.map((i) => `${i.path}: ${i.message}`);

const templateCases: Array<[string, Record<string, unknown>, Record<string, string> | undefined, string[]]> = [
  ['a feeder, a setup capture, an earlier capture and builtins are provided', {
    data: { id: { file: 'ids.csv' } },
    setup: { steps: [{ name: 'login', path: '/login', capture: { token: '$.t' } }] },
    journeys: [{ name: 'j', steps: [
      { name: 'a', path: '/a/{{id}}?vu={{__VU}}&i={{__ITER}}', headers: { authorization: 'Bearer {{token}}' }, capture: { order: '$.id' } },
      { name: 'b', path: '/b/{{order.id}}', body: { who: ['{{env.USER_NAME}}'] } },
    ] }],
  }, { USER_NAME: 'ann' }, []],
  ['a typo names journey, step and variable, with the nearest name', {
    data: { id: { file: 'ids.csv' } },
    journeys: [{ name: 'read', steps: [{ name: 'item', path: '/items/{{idd}}' }] }],
  }, {}, ['journeys[0].steps[0].path: journey "read", step "item": unknown template variable "idd": no data feeder, setup capture, capture of an earlier step or builtin provides it (did you mean "id"?)']],
  ['a capture used before the step that captures it', {
    journeys: [{ name: 'j', steps: [{ name: 'a', path: '/a/{{order}}' }, { name: 'b', path: '/b', capture: { order: '$.id' } }] }],
  }, {}, ['journeys[0].steps[0].path: journey "j", step "a": template variable "order" is captured only by journeys[0].steps[1], which runs later; a capture is available to the steps after it']],
  ['a capture of another journey', {
    journeys: [{ name: 'j', steps: [{ name: 'a', path: '/a', capture: { order: '$.id' } }] }, { name: 'k', steps: [{ name: 'c', path: '/c/{{order}}' }] }],
  }, {}, ['journeys[1].steps[0].path: journey "k", step "c": unknown template variable "order": no data feeder, setup capture, capture of an earlier step or builtin provides it']],
  ['a feeder or an iteration in setup, which runs before any row', {
    data: { id: { file: 'ids.csv' } },
    setup: { steps: [{ name: 'login', path: '/login/{{id}}?i={{__ITER}}' }] },
    journeys: [{ name: 'j', steps: [{ name: 'a', path: '/' }] }],
  }, {}, [
    'setup.steps[0].path: setup step "login": unknown template variable "id": no earlier setup capture or builtin provides it (setup runs before any data feeder row)',
    'setup.steps[0].path: setup step "login": unknown template variable "__ITER": no earlier setup capture or builtin provides it (setup runs before any data feeder row)',
  ]],
  ['an unset environment variable, in a header and in a string body', {
    journeys: [{ name: 'j', steps: [{ name: 'a', path: '/', headers: { 'x-key': '{{env.API_KEY}}' }, body: 'k={{env.API_KEY}}' }] }],
  }, {}, [
    'journeys[0].steps[0].headers.x-key: journey "j", step "a": environment variable API_KEY is not set ({{env.API_KEY}})',
    'journeys[0].steps[0].body: journey "j", step "a": environment variable API_KEY is not set ({{env.API_KEY}})',
  ]],
  ['an environment that is not known: env variables are assumed set', {
    journeys: [{ name: 'j', steps: [{ name: 'a', path: '/{{env.API_KEY}}' }] }],
  }, undefined, []],
  ['a scenario the schema refused is still read where it can be', {
    journeys: [{ name: 'j', steps: [{ name: 'a', path: 5 }, 'junk', { name: 'b', path: '/{{x}}' }] }, null],
  }, {}, ['journeys[0].steps[2].path: journey "j", step "b": unknown template variable "x": no data feeder, setup capture, capture of an earlier step or builtin provides it']],
];
for (const [name, patch, env, expected] of templateCases) {
  test(`template variables: ${name}`, () => {
    assert.deepEqual(lines(templateIssues({ ...base, ...patch }, env)), expected);
  });
}

test('threshold problems of thresholds and capacity are found on the raw scenario, with a did-you-mean for a metric', () => {
  const found = lines(thresholdIssues({
    thresholds: { http_req_duraton: ['p(95)<200'], http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: 'yes' }, 'rate<<1'], 'no_such_metric_at_all{x:y}': ['avg<1'] },
    capacity: { 'http_req_duration{nme:x}': ['p(95)<100'] },
  }));
  assert.deepEqual(found, [
    'thresholds["http_req_duraton"][0]: unknown metric "http_req_duraton" (did you mean "http_req_duration"?)',
    'thresholds["http_req_failed"][1]: bad operator "<<" in "rate<<1" (expected <, <=, >, >=, ==, !=)',
    `thresholds["no_such_metric_at_all{x:y}"][0]: unknown metric "no_such_metric_at_all" (not in perfgate's metric catalogue)`,
    'capacity["http_req_duration{nme:x}"][0]: tag "nme" cannot filter http_req_duration (it takes: name, method, journey, scenario, phase, expected_response)',
  ], 'the object form\'s fields are left to the schema');
});

const phaseCases: Array<[string, Record<string, unknown>, string[]]> = [
  ['a phase of the load', { thresholds: { 'http_req_failed{phase:steady}': ['rate<0.01'], 'cache_hit_ratio{phase:warm-up}': ['value>0'] } }, []],
  ['a misspelt phase, with the nearest name', { journeys: [{ name: 'j', steps: [{ name: 'a', path: '/' }] }], thresholds: { 'http_req_failed{name:a,phase:stedy}': ['rate<0.01'] } }, [
    'thresholds["http_req_failed{name:a,phase:stedy}"]: phase "stedy" names no stage of the load (did you mean "steady"? its phases: warm-up, steady)',
  ]],
  ['a phase in a capacity SLO', { capacity: { 'http_req_duration{phase:ramp}': ['p(95)<100'] } }, [
    'capacity["http_req_duration{phase:ramp}"]: phase "ramp" names no stage of the load (its phases: warm-up, steady)',
  ]],
  ['a phase on a load without stages', {
    load: { executor: 'constant-vus', vus: 1, duration: '10s' },
    thresholds: { 'http_req_failed{phase:steady}': ['rate<0.01'] },
  }, ['thresholds["http_req_failed{phase:steady}"]: phase "steady" names no stage of the load (the load has no named stages)']],
  ['a step name that no journey has, with the nearest name', {
    journeys: [{ name: 'j', steps: [{ name: 'company', path: '/' }] }],
    setup: { steps: [{ name: 'login', path: '/' }] },
    thresholds: { 'http_req_duration{name:compnay}': ['p(95)<100'], 'http_req_failed{name:login}': ['rate<0.01'], 'http_req_failed{name:company}': ['rate<0.01'] },
  }, [
    'thresholds["http_req_duration{name:compnay}"]: name "compnay" names no journey step (did you mean "company"? steps: company; setup steps are not recorded)',
    'thresholds["http_req_failed{name:login}"]: name "login" names no journey step (steps: company; setup steps are not recorded)',
  ]],
];
for (const [name, patch, expected] of phaseCases) {
  test(`tag filters: ${name}`, () => {
    assert.deepEqual(lines(phaseTagIssues({ ...base, journeys: [], ...patch })), expected);
  });
}
