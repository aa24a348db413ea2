import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateScenario, EXECUTORS } from '../../src/scenario/schema.ts';
import { ConfigError, EXIT } from '../../src/errors.ts';

/** The minimal JSON scenario of DESIGN.md, verbatim. */
const MINIMAL = `{"name": "hello", "target": {"baseUrl": "http://127.0.0.1:3000"}, "load": {"executor":
"constant-arrival-rate", "rate": 100, "timeUnit": "1s", "duration": "30s", "preAllocatedVUs": 50, "maxVUs": 400},
"journeys": [{"name": "get", "steps": [{"name": "root", "method": "GET", "path": "/"}]}]}`;

const minimal = () => JSON.parse(MINIMAL) as Record<string, any>;

/** Problems of `input`, as `path: message` lines. */
function problems(input: unknown): string[] {
  try {
    validateScenario(input, 'test.json');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.exitCode, EXIT.invalidConfig);
    return err.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  }
  return [];
}

/** The minimal scenario with `patch` applied to a copy. */
function variant(patch: (s: Record<string, any>) => void): Record<string, any> {
  const s = minimal();
  patch(s);
  return s;
}

test('the minimal JSON scenario of DESIGN.md validates', () => {
  const def = validateScenario(JSON.parse(MINIMAL));
  assert.equal(def.name, 'hello');
  assert.equal(def.load!.executor, 'constant-arrival-rate');
});

test('the example scenario of DESIGN.md validates', () => {
  const def = validateScenario({
    name: 'baseline',
    description: '100 concurrent users for 10 minutes',
    target: { baseUrl: 'http://127.0.0.1:8080' },
    load: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '1m', target: 100, name: 'ramp-up' },
        { duration: '8m', target: 100, name: 'steady' },
        { duration: '1m', target: 0, name: 'ramp-down' },
      ],
    },
    setup: { steps: [{ name: 'token', method: 'POST', path: '/auth/token', body: { clientId: '{{env.CLIENT_ID}}' }, capture: { token: '$.access_token' } }] },
    journeys: [
      {
        name: 'browse',
        weight: 6,
        steps: [
          { name: 'list-companies', method: 'GET', path: '/api/v1/companies?limit=20', think: '1s-3s', headers: { authorization: 'Bearer {{token}}' } },
          { name: 'company', method: 'GET', path: '/api/v1/companies/{{ticker}}', think: '1s-3s', headers: { authorization: 'Bearer {{token}}' }, check: { status: 200 } },
        ],
      },
    ],
    data: { ticker: { file: 'fixtures/tickers.csv', column: 'ticker', pick: 'random' } },
    thresholds: {
      http_req_failed: ['rate<0.01'],
      'http_req_duration{name:company}': ['p(95)<100', { threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: '10s' }],
    },
    collectors: { prometheus: {}, postgres: {}, redis: {}, host: {} },
    faults: [{ action: 'redis-stop', at: '2m', duration: '30s' }],
    profiles: { ci: { time: 0.1, load: 0.2 }, smoke: { time: 0.02, load: 0.1 } },
  });
  assert.equal(def.journeys[0]!.steps.length, 2);
});

test('a step without a method gets GET, and nothing else is added', () => {
  const def = validateScenario(variant((s) => delete s.journeys[0].steps[0].method));
  assert.deepEqual(def.journeys[0]!.steps[0], { name: 'root', method: 'GET', path: '/' });
});

for (const executor of EXECUTORS) {
  test(`the executor ${executor} is accepted with its k6 fields`, () => {
    const load = {
      'constant-vus': { executor, vus: 5, duration: '10s', gracefulStop: '5s' },
      'ramping-vus': { executor, startVUs: 0, stages: [{ duration: '5s', target: 5 }], gracefulRampDown: '1s' },
      'constant-arrival-rate': { executor, rate: 10, timeUnit: '1s', duration: '10s', preAllocatedVUs: 2 },
      'ramping-arrival-rate': { executor, startRate: 1, timeUnit: '1m', stages: [{ duration: '5s', target: 10 }], preAllocatedVUs: 2, maxVUs: 4 },
      'shared-iterations': { executor, vus: 5, iterations: 100, maxDuration: '30s', gracefulStop: '5s' },
      'per-vu-iterations': { executor, vus: 5, iterations: 20, maxDuration: '30s', gracefulStop: '5s' },
    }[executor];
    assert.deepEqual(problems(variant((s) => (s.load = load))), []);
  });
}

const ALL = 'constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate, shared-iterations, per-vu-iterations';
const bad: [string, (s: Record<string, any>) => void, string[]][] = [
  ['an unknown executor', (s) => (s.load.executor = 'constant-rps'), [`load.executor: unknown executor "constant-rps" (expected one of ${ALL})`]],
  ['a missing executor', (s) => delete s.load.executor, [`load.executor: required (expected one of ${ALL})`]],
  ['a step without a path', (s) => delete s.journeys[0].steps[0].path, ['journeys[0].steps[0].path: required']],
  [
    'an unknown field with a near name',
    (s) => (s.journeys[0].steps[0].methd = 'GET'),
    ['journeys[0].steps[0].methd: unknown field (did you mean "method"?)'],
  ],
  [
    'a field of another executor',
    (s) => (s.load.stages = []),
    ['load.stages: unknown field (known fields: executor, rate, timeUnit, duration, preAllocatedVUs, maxVUs, gracefulStop, tags)'],
  ],
  ['constant-vus without a duration', (s) => (s.load = { executor: 'constant-vus', vus: 2 }), ['load.duration: required']],
  ['ramping-vus without stages', (s) => (s.load = { executor: 'ramping-vus' }), ['load.stages: required']],
  ['ramping-vus with no stage', (s) => (s.load = { executor: 'ramping-vus', stages: [] }), ['load.stages: needs at least one stage']],
  [
    'ramping-vus that never runs a VU',
    (s) => (s.load = { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 0 }] }),
    ['load.stages: startVUs and every stage target are 0, so no VU would ever run'],
  ],
  [
    'an arrival rate without rate and preAllocatedVUs',
    (s) => (s.load = { executor: 'constant-arrival-rate', duration: '1s' }),
    ['load.rate: required', 'load.preAllocatedVUs: required'],
  ],
  ['shared-iterations with only defaults', (s) => (s.load = { executor: 'shared-iterations' }), []],
  ['per-vu-iterations with only defaults', (s) => (s.load = { executor: 'per-vu-iterations' }), []],
  [
    'shared-iterations with fewer iterations than VUs',
    (s) => (s.load = { executor: 'shared-iterations', vus: 10, iterations: 5 }),
    ['load.iterations: must be at least vus (10): each VU runs one iteration at least, got 5'],
  ],
  ['shared-iterations with 0 iterations', (s) => (s.load = { executor: 'shared-iterations', iterations: 0 }), ['load.iterations: must be at least 1, got 0']],
  ['per-vu-iterations with 0 VUs', (s) => (s.load = { executor: 'per-vu-iterations', vus: 0 }), ['load.vus: must be at least 1, got 0']],
  ['per-vu-iterations with fractional iterations', (s) => (s.load = { executor: 'per-vu-iterations', iterations: 2.5 }), ['load.iterations: must be a whole number, got 2.5']],
  ['a zero maxDuration', (s) => (s.load = { executor: 'per-vu-iterations', maxDuration: '0s' }), ['load.maxDuration: must be longer than 0, got "0s"']],
  ['a bad maxDuration', (s) => (s.load = { executor: 'shared-iterations', maxDuration: 'ten' }), [`load.maxDuration: invalid duration "ten" (expected a duration like '30s', '2m', '1h30m', '500ms', '1.5s')`]],
  [
    'a duration on an iteration executor',
    (s) => (s.load = { executor: 'shared-iterations', duration: '10s' }),
    ['load.duration: unknown field (known fields: executor, vus, iterations, maxDuration, gracefulStop, tags)'],
  ],
  ['maxVUs below preAllocatedVUs', (s) => (s.load.maxVUs = 10), ['load.maxVUs: must be at least preAllocatedVUs (50), got 10']],
  ['a bad timeUnit', (s) => (s.load.timeUnit = 'second'), [`load.timeUnit: invalid duration "second" (expected a duration like '30s', '2m', '1h30m', '500ms', '1.5s')`]],
  ['a zero duration', (s) => (s.load.duration = '0s'), ['load.duration: must be longer than 0, got "0s"']],
  ['a fractional VU count', (s) => (s.load.preAllocatedVUs = 1.5), ['load.preAllocatedVUs: must be a whole number, got 1.5']],
  ['a rate of 0', (s) => (s.load.rate = 0), ['load.rate: must be at least 1, got 0']],
  ['a rate given as text', (s) => (s.load.rate = '100'), ['load.rate: must be a number, got "100"']],
  ['a negative stage target', (s) => (s.load = { executor: 'ramping-vus', stages: [{ duration: '1s', target: -1 }] }), ['load.stages[0].target: must be at least 0, got -1']],
  ['a lower-case method', (s) => (s.journeys[0].steps[0].method = 'get'), ['journeys[0].steps[0].method: must be one of "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", got "get"']],
  ['a relative path', (s) => (s.journeys[0].steps[0].path = 'api'), ['journeys[0].steps[0].path: must start with "/" (it is joined to target.baseUrl), got "api"']],
  ['an expected status out of range', (s) => (s.journeys[0].steps[0].expect = [200, 600]), ['journeys[0].steps[0].expect[1]: must be at most 599, got 600']],
  ['a check status below 100', (s) => (s.journeys[0].steps[0].check = { status: 99 }), ['journeys[0].steps[0].check.status: must be at least 100, got 99']],
  ['a bad think range', (s) => (s.journeys[0].steps[0].think = '3s-1s'), [`journeys[0].steps[0].think: invalid think time "3s-1s": the range's minimum is above its maximum`]],
  ['a bad capture path', (s) => (s.journeys[0].steps[0].capture = { token: 'access_token' }), [`journeys[0].steps[0].capture.token: invalid JSON path "access_token": it must start with '$'`]],
  ['a malformed placeholder', (s) => (s.journeys[0].steps[0].headers = { 'x-id': '{{a b}}' }), ['journeys[0].steps[0].headers.x-id: invalid template placeholder "{{a b}}" (expected {{name}}, {{name.field}} or {{env.NAME}})']],
  ['an unknown step type', (s) => (s.journeys[0].steps[0].type = 'grpc'), ['journeys[0].steps[0].type: unknown step type "grpc" (expected one of http, sql)']],
  [
    'a sql step on an unknown connection',
    (s) => {
      s.connections = { db: { url: 'postgres://u@127.0.0.1/x' } };
      s.journeys[0].steps[0] = { type: 'sql', name: 'q', connection: 'pg', sql: 'select 1' };
    },
    ['journeys[0].steps[0].connection: unknown connection "pg" (connections: db)'],
  ],
  [
    'duplicate journey names',
    (s) => s.journeys.push({ name: 'get', steps: [{ name: 'x', path: '/x' }] }),
    ['journeys[1].name: duplicate journey name "get" (also journeys[0])'],
  ],
  ['a weight of 0', (s) => (s.journeys[0].weight = 0), ['journeys[0].weight: must be more than 0, got 0']],
  ['no journeys', (s) => (s.journeys = []), ['journeys: must have at least 1 item']],
  ['a journey without steps', (s) => (s.journeys[0].steps = []), ['journeys[0].steps: must have at least 1 item']],
  ['a non-http base URL', (s) => (s.target.baseUrl = 'ftp://127.0.0.1'), ['target.baseUrl: must be an http(s) URL like http://127.0.0.1:8080, got "ftp://127.0.0.1"']],
  ['a name with a space', (s) => (s.name = 'my test'), ['name: must be a non-empty name of letters, digits, ".", "_" and "-" (it names the run directory), got "my test"']],
  [
    'a threshold that is not a string',
    (s) => (s.thresholds = { http_req_failed: [0.01] }),
    ['thresholds.http_req_failed[0]: must be a threshold expression like "p(95)<200" or {threshold, abortOnFail?, delayAbortEval?}'],
  ],
  [
    'a threshold object with bad fields',
    (s) => (s.thresholds = { 'http_req_duration{name:root}': [{ threshold: 'p(95)<1', abortOnFail: 'yes', delay: '1s' }] }),
    [
      'thresholds["http_req_duration{name:root}"][0].abortOnFail: must be true or false, got "yes"',
      'thresholds["http_req_duration{name:root}"][0].delay: unknown field (known fields: threshold, abortOnFail, delayAbortEval)',
    ],
  ],
  ['a threshold list written as a string', (s) => (s.thresholds = { checks: 'rate>0.9' }), ['thresholds.checks: must be a list, got "rate>0.9"']],
  ['a fault at a bad time', (s) => (s.faults = [{ action: 'redis-stop', at: 'soon' }]), [`faults[0].at: invalid duration "soon" (expected a duration like '30s', '2m', '1h30m', '500ms', '1.5s')`]],
  ['a fault without an action', (s) => (s.faults = [{ at: '1s' }]), ['faults[0].action: required']],
  ['an unknown collector', (s) => (s.collectors = { mysql: {} }), ['collectors.mysql: unknown field (known fields: prometheus, postgres, pgbouncer, redis, host, interval)']],
  ['a bad pick', (s) => (s.data = { ticker: { file: 'f.csv', pick: 'randm' } }), ['data.ticker.pick: must be one of "random", "sequential", "unique", "zipf" or { zipf: exponent }, got "randm"']],
  [
    'a data feeder name that cannot be a variable',
    (s) => (s.data = { 'bad name': { file: 'f.csv' } }),
    ['data["bad name"]: invalid name "bad name": must start with a letter or _ and use only letters, digits, _ and -'],
  ],
  [
    'a capture name that cannot be a variable',
    (s) => (s.journeys[0].steps[0].capture = { '1x': '$.a' }),
    ['journeys[0].steps[0].capture["1x"]: invalid name "1x": must start with a letter or _ and use only letters, digits, _ and -'],
  ],
  ['a negative profile scale', (s) => (s.profiles = { ci: { time: -1 } }), ['profiles.ci.time: must be more than 0, got -1']],
  ['an unknown profile', (s) => (s.profiles = { nightly: {} }), ['profiles.nightly: unknown field (known fields: ci, smoke)']],
  ['an unknown top-level field', (s) => (s.options = {}), ['options: unknown field (known fields: name, description, target, load, scenarios, journeys, setup, data, connections, thresholds, capacity, alerts, compare, collectors, faults, lab, profiles, defaults, timeout, saturation, maxRedirects, cookies, noCookiesReset, insecureSkipTLSVerify)']],
  ['not an object at all', (s) => Object.keys(s).forEach((k) => delete s[k]), ['name: required', 'target: required', 'journeys: required', 'load: required: the executor of the run (or a `scenarios` map of several executors)']],
];
for (const [name, patch, expected] of bad) {
  test(`validation names the field for ${name}`, () => assert.deepEqual(problems(variant(patch)), expected));
}

test('validation of null says an object is expected', () => {
  assert.deepEqual(problems(null), ['must be an object, got null']);
});

test('validation reports every problem at once', () => {
  const found = problems(
    variant((s) => {
      s.load.executor = 'constant-rps';
      delete s.journeys[0].steps[0].path;
      s.journeys.push({ name: 'get', weight: -1, steps: [{ name: 'q', type: 'sql', connection: 'nope', sql: 'select 1' }] });
      s.target.baseUrl = 'not a url';
      s.extra = true;
    }),
  );
  assert.deepEqual(found, [
    'target.baseUrl: must be an http(s) URL like http://127.0.0.1:8080, got "not a url"',
    `load.executor: unknown executor "constant-rps" (expected one of ${ALL})`,
    'journeys[0].steps[0].path: required',
    'journeys[1].weight: must be more than 0, got -1',
    'extra: unknown field (known fields: name, description, target, load, scenarios, journeys, setup, data, connections, thresholds, capacity, alerts, compare, collectors, faults, lab, profiles, defaults, timeout, saturation, maxRedirects, cookies, noCookiesReset, insecureSkipTLSVerify)',
    'journeys[1].name: duplicate journey name "get" (also journeys[0])',
    'journeys[1].steps[0].connection: unknown connection "nope" (the scenario defines no connections)',
  ]);
});

test('the error message counts the problems and names the source', () => {
  try {
    validateScenario(variant((s) => delete s.name), 'scenarios/hello.json');
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.message, 'invalid scenario scenarios/hello.json (1 problem):\n  - name: required');
  }
});

test('saturation takes a loop-lag duration and a dropped share from 0 to 1, naming the field otherwise', () => {
  assert.deepEqual(problems(variant((s) => (s.saturation = { maxLoopLagP99: '1s', maxDroppedShare: 0.05 }))), []);
  const bad = problems(variant((s) => (s.saturation = { maxLoopLagP99: 'soon', maxDroppedShare: 2, lag: 1 })));
  assert.ok(bad.some((p) => p.startsWith('saturation.maxLoopLagP99:')), bad.join('\n'));
  assert.ok(bad.some((p) => p.startsWith('saturation.maxDroppedShare:')), bad.join('\n'));
  assert.ok(bad.some((p) => /saturation.*lag/.test(p)), bad.join('\n'));
});
