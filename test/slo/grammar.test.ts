import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.ts';
import { parseThresholds, type ThresholdInput } from '../../src/slo/grammar.ts';

type Valid = [string, ThresholdInput, Partial<{ metric: string; tags: Record<string, string>; aggregationName: string; operator: string; limit: number; abortOnFail: boolean; delayAbortEvalMs: number }>];

const valid: Valid[] = [
  ['http_req_duration', 'p(95)<200', { metric: 'http_req_duration', tags: {}, aggregationName: 'p(95)', operator: '<', limit: 200 }],
  ['http_req_duration', 'p(99.9) < 2000', { aggregationName: 'p(99.9)', operator: '<', limit: 2000 }],
  ['http_req_duration', 'avg<50', { aggregationName: 'avg', limit: 50 }],
  ['http_req_duration', 'med<=40', { aggregationName: 'med', operator: '<=', limit: 40 }],
  ['http_req_duration', 'max<1000', { aggregationName: 'max', operator: '<', limit: 1000 }],
  ['http_req_duration', 'min >= 0.5', { aggregationName: 'min', operator: '>=', limit: 0.5 }],
  ['http_req_duration', 'p(0)>0', { aggregationName: 'p(0)', operator: '>', limit: 0 }],
  ['http_req_duration', 'p( 100 )<1e4', { aggregationName: 'p(100)', limit: 10000 }],
  ['http_req_failed', 'rate<0.001', { aggregationName: 'rate', limit: 0.001 }],
  ['checks', 'rate>0.99', { aggregationName: 'rate', operator: '>', limit: 0.99 }],
  ['dropped_iterations', 'count==0', { aggregationName: 'count', operator: '==', limit: 0 }],
  ['dropped_iterations', 'count===0', { operator: '==', limit: 0 }],
  ['http_reqs', 'rate>=10', { aggregationName: 'rate', operator: '>=', limit: 10 }],
  ['http_reqs', 'count != 5', { operator: '!=', limit: 5 }],
  ['cache_hit_ratio', 'value>0.8', { metric: 'cache_hit_ratio', aggregationName: 'value', operator: '>', limit: 0.8 }],
  ['cache_hit_ratio{phase:steady}', 'value>0.8', { tags: { phase: 'steady' } }],
  ['db_pool_utilization', 'max<0.7', { aggregationName: 'max' }],
  ['host_cpu_utilization', 'p(95)<0.7', { aggregationName: 'p(95)' }],
  ['vus', 'value<=100', { aggregationName: 'value' }],
  ['db_query_duration', 'p(95)<50', { aggregationName: 'p(95)' }],
  ['pg_connections{state:active}', 'max<100', { tags: { state: 'active' } }],
  ['http_req_duration{name:company}', 'p(95)<100', { tags: { name: 'company' } }],
  ['http_req_duration{expected_response:true}', 'p(95)<100', { tags: { expected_response: 'true' } }],
  ['http_req_duration{ name : company , method:GET }', 'p(95)<100', { tags: { name: 'company', method: 'GET' } }],
  ['http_reqs{status:503}', 'count<10', { tags: { status: '503' } }],
  ['http_reqs{error_code:timeout}', 'count==0', { tags: { error_code: 'timeout' } }],
  ['http_req_duration', { threshold: 'p(99) < 10', abortOnFail: true, delayAbortEval: '10s' }, { abortOnFail: true, delayAbortEvalMs: 10_000, limit: 10 }],
  ['http_req_duration', { threshold: 'p(95)<200' }, { abortOnFail: false, delayAbortEvalMs: 0 }],
  ['http_req_failed', { threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '1m30s' }, { delayAbortEvalMs: 90_000 }],
  // delayAbortEval takes every duration a scenario takes (one parser, src/scenario/duration.ts)
  ['http_req_failed', { threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '0' }, { delayAbortEvalMs: 0 }],
  ['http_req_failed', { threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '1d' }, { delayAbortEvalMs: 86_400_000 }],
  ['http_req_failed', { threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '500us' }, { delayAbortEvalMs: 0.5 }],
];

test('every valid form parses into the typed tree', () => {
  for (const [key, expr, want] of valid) {
    const [t] = parseThresholds({ [key]: [expr] });
    for (const [field, value] of Object.entries(want)) {
      assert.deepEqual((t as unknown as Record<string, unknown>)[field], value, `${key}: ${JSON.stringify(expr)} field ${field}`);
    }
    assert.equal(t.key, key);
  }
});

// The threshold examples of k6's documentation (grafana.com/docs/k6/latest/using-k6/thresholds/): those on metrics
// perfgate has parse; those on k6-only or custom metrics, or on tags perfgate does not record, are clear errors.
test("k6's documented threshold examples on built-in metrics parse", () => {
  const parsed = parseThresholds({
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(90) < 400', 'p(95) < 800', 'p(99.9) < 2000', 'p(95)<200', { threshold: 'p(99) < 10', abortOnFail: true }],
    checks: [{ threshold: 'rate==1', abortOnFail: true, delayAbortEval: '5s' }, 'rate>0.95'],
    http_reqs: ['count>100', 'rate>50'],
    iterations: ['count>=500'],
    vus: ['value>10'],
  });
  assert.equal(parsed.length, 12);
  assert.deepEqual(parsed.map((t) => t.expression).slice(1, 4), ['p(90) < 400', 'p(95) < 800', 'p(99.9) < 2000']);
});

test("k6's documented examples on metrics perfgate lacks are errors naming the key", () => {
  const err = capture(() =>
    parseThresholds({
      Errors: ['count<100'],
      ContentSize: ['value<4000'],
      'group_duration{group:::individualRequests}': ['avg < 400'],
      'http_req_duration{type:API}': ['p(95)<500'],
    }),
  );
  assert.match(err.message, /thresholds\["Errors"\]\[0\]: unknown metric "Errors"/);
  assert.match(err.message, /thresholds\["ContentSize"\]\[0\]: unknown metric/);
  assert.match(err.message, /thresholds\["group_duration\{group:::individualRequests\}"\]\[0\]: unknown metric "group_duration"/);
  assert.match(err.message, /thresholds\["http_req_duration\{type:API\}"\]\[0\]: tag "type" cannot filter http_req_duration/);
});

function capture(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail('expected a ConfigError');
}

const invalid: Array<[string, unknown, string]> = [
  ['http_req_duration{name:company', ['p(95)<200'], 'thresholds["http_req_duration{name:company"][0]: unbalanced braces in key'],
  ['http_req_duration}', ['p(95)<200'], 'thresholds["http_req_duration}"][0]: unbalanced braces in key'],
  ['http_req_duration{{name:a}}', ['p(95)<200'], 'unbalanced braces in key'],
  ['http_req_duration{name:a}x', ['p(95)<200'], 'text after the closing brace in key'],
  ['http_req_duration{}', ['p(95)<200'], 'empty tag filter {} in key'],
  ['http_req_duration{name}', ['p(95)<200'], 'tag filter "name" must be name:value'],
  ['http_req_duration{name:}', ['p(95)<200'], 'tag filter "name:" must be name:value'],
  ['http_req_duration{name:a,name:b}', ['p(95)<200'], 'tag "name" is given twice'],
  ['http_req_duration{expected_response:yes}', ['p(95)<200'], 'tag expected_response must be true or false, not "yes"'],
  ['http_req_duration{status:200}', ['p(95)<200'], 'tag "status" cannot filter http_req_duration'],
  ['http_reqs{status:abc}', ['count<1'], 'tag status must be an HTTP status code'],
  ['vus{name:x}', ['value<1'], 'tag "name" cannot filter vus'],
  ['{name:x}', ['p(95)<1'], 'missing metric name in key'],
  ['http-req', ['p(95)<1'], 'bad metric name "http-req"'],
  ['http_req_durations', ['p(95)<200'], 'thresholds["http_req_durations"][0]: unknown metric "http_req_durations"'],
  ['http_req_duration', ['rate<0.1'], '"rate" does not apply to a trend metric (use avg, min, max, med, p(N)) in "rate<0.1"'],
  ['http_req_duration', ['value<1'], '"value" does not apply to a trend metric'],
  ['http_req_duration', ['count<1'], '"count" does not apply to a trend metric'],
  ['http_req_failed', ['p(95)<0.1'], '"p(95)" does not apply to a rate metric (use rate)'],
  ['http_req_failed', ['count<1'], '"count" does not apply to a rate metric'],
  ['http_reqs', ['avg<1'], '"avg" does not apply to a counter metric (use count, rate)'],
  ['vus', ['rate<1'], '"rate" does not apply to a gauge metric'],
  ['cache_hit_ratio', ['count>1'], '"count" does not apply to a gauge metric'],
  ['http_req_duration', ['p95<200'], 'unknown aggregation "p95" in "p95<200"'],
  ['http_req_duration', ['mean<200'], 'unknown aggregation "mean"'],
  ['http_req_duration', ['p(101)<200'], 'bad percentile "101" in "p(101)<200" (p(N) takes 0 <= N <= 100)'],
  ['http_req_duration', ['p(-1)<200'], 'bad percentile "-1"'],
  ['http_req_duration', ['p(abc)<200'], 'bad percentile "abc"'],
  ['http_req_duration', ['p()<200'], 'bad percentile ""'],
  ['http_req_duration', ['p(95<200'], 'bad percentile in "p(95<200": missing ")"'],
  ['http_req_duration', ['p(95)=<200'], 'bad operator "=<" in "p(95)=<200"'],
  ['http_req_duration', ['p(95)<<200'], 'bad operator "<<"'],
  ['http_req_duration', ['p(95)=200'], 'bad operator "="'],
  ['http_req_duration', ['p(95) 200'], 'missing operator in "p(95) 200"'],
  ['http_req_duration', ['p(95)<'], 'missing number after "<" in "p(95)<"'],
  ['http_req_duration', ['p(95)<abc'], 'bad number "abc" in "p(95)<abc"'],
  ['http_req_duration', ['p(95)<200ms'], 'bad number "200ms"'],
  ['http_req_duration', ['p(95)<1.2.3'], 'bad number "1.2.3"'],
  ['http_req_duration', ['p(95)<1e999'], 'bad number "1e999"'],
  ['http_req_duration', ['   '], 'thresholds["http_req_duration"][0]: empty expression'],
  ['http_req_duration', ['<200'], 'missing aggregation in "<200"'],
  ['http_req_duration', [42], 'thresholds["http_req_duration"][0]: must be an expression string or { threshold, abortOnFail, delayAbortEval }'],
  ['http_req_duration', [{ abortOnFail: true }], 'thresholds["http_req_duration"][0].threshold: must be an expression string'],
  ['http_req_duration', [{ threshold: 'p(95)<1', abortOnFail: 'yes' }], 'thresholds["http_req_duration"][0].abortOnFail: must be true or false'],
  ['http_req_duration', [{ threshold: 'p(95)<1', delayAbortEval: 'soon' }], 'thresholds["http_req_duration"][0].delayAbortEval: bad duration "soon"'],
  ['http_req_duration', [{ threshold: 'p(95)<1', delayAbortEval: 10 }], '.delayAbortEval: bad duration 10'],
  ['http_req_duration', [{ threshold: 'p(95)<1', abortOnFial: true }], 'thresholds["http_req_duration"][0].abortOnFial: unknown field'],
  ['http_req_duration', 'p(95)<200', 'thresholds["http_req_duration"]: must be a list of expressions'],
  ['http_req_duration', [], 'thresholds["http_req_duration"]: has no expression'],
];

test('every mistake is a ConfigError naming the key, the index and the expression', () => {
  for (const [key, list, message] of invalid) {
    const err = capture(() => parseThresholds({ [key]: list } as Record<string, ThresholdInput[]>));
    assert.ok(err.message.includes(message), `${key} ${JSON.stringify(list)}:\n got ${err.message}\n want ${message}`);
  }
});

test('all problems are reported at once, not only the first', () => {
  const err = capture(() =>
    parseThresholds({
      http_req_duration: ['p(95)<200', 'p(95)=<200', 'rate<1'],
      nope: ['value<1'],
      http_req_failed: [{ threshold: 'rate<0.01', delayAbortEval: '1x' }],
    }),
  );
  assert.equal(err.issues.length, 4);
  assert.deepEqual(err.issues.map((i) => i.path), [
    'thresholds["http_req_duration"][1]',
    'thresholds["http_req_duration"][2]',
    'thresholds["nope"][0]',
    'thresholds["http_req_failed"][0].delayAbortEval',
  ]);
});

test('no thresholds parse to an empty list, and a non-object is an error', () => {
  assert.deepEqual(parseThresholds(undefined), []);
  assert.deepEqual(parseThresholds({}), []);
  assert.throws(() => parseThresholds(['p(95)<1'] as unknown as Record<string, ThresholdInput[]>), /thresholds: must be an object/);
});

test('durations in delayAbortEval are the scenario durations of k6: every unit, their sums and 0', () => {
  const table: Array<[string, number | null]> = [
    ['10s', 10_000], ['500ms', 500], ['1m30s', 90_000], ['1h', 3_600_000], ['1.5s', 1500], ['0', 0], ['1d', 86_400_000], ['500us', 0.5],
    ['', null], ['10', null], ['s', null], ['10s5', null], ['-1s', null],
  ];
  for (const [text, ms] of table) {
    const parse = () => parseThresholds({ http_req_failed: [{ threshold: 'rate<0.01', delayAbortEval: text }] });
    if (ms === null) assert.throws(parse, /delayAbortEval: bad duration/, text);
    else assert.equal(parse()[0]!.delayAbortEvalMs, ms, text);
  }
});
