import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExposition, parsePromFloat, PromParseError } from '../../src/collectors/prometheus-parse.ts';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/prometheus', name), 'utf8');

test('sample lines parse into name, labels, value and optional timestamp', () => {
  const cases: Array<[string, { name: string; labels: Record<string, string>; value: number; timestampMs?: number }]> = [
    ['up 1', { name: 'up', labels: {}, value: 1 }],
    ['a:b_c{x="1"} 2.5', { name: 'a:b_c', labels: { x: '1' }, value: 2.5 }],
    ['m{a="1",b="2",} 3 1700000000000', { name: 'm', labels: { a: '1', b: '2' }, value: 3, timestampMs: 1700000000000 }],
    ['m { a = "1" } -4e-3', { name: 'm', labels: { a: '1' }, value: -0.004 }],
    ['m{} 7', { name: 'm', labels: {}, value: 7 }],
    ['m\t8', { name: 'm', labels: {}, value: 8 }],
    ['m{path="C:\\\\dir\\\\x",q="say \\"hi\\"",nl="a\\nb"} 1', { name: 'm', labels: { path: 'C:\\dir\\x', q: 'say "hi"', nl: 'a\nb' }, value: 1 }],
    ['m{v="a,b}{c=d"} 1', { name: 'm', labels: { v: 'a,b}{c=d' }, value: 1 }],
    ['m{le="+Inf"} +Inf', { name: 'm', labels: { le: '+Inf' }, value: Infinity }],
    ['m -Inf', { name: 'm', labels: {}, value: -Infinity }],
    ['m 1e+06', { name: 'm', labels: {}, value: 1e6 }],
    ['m .5', { name: 'm', labels: {}, value: 0.5 }],
  ];
  for (const [line, expected] of cases) {
    const { samples } = parseExposition(line);
    assert.deepEqual(samples, [expected], line);
  }
});

test('NaN values parse as NaN', () => {
  const { samples } = parseExposition('m NaN\nn nan\n');
  assert.ok(Number.isNaN(samples[0].value));
  assert.ok(Number.isNaN(samples[1].value));
});

test('HELP and TYPE lines are read, HELP is optional and unescaped, other comments are ignored', () => {
  const exp = parseExposition(
    ['# HELP a first\\nsecond \\\\ back', '# TYPE a counter', 'a 1', '# TYPE b gauge', 'b 2', '# just a comment', 'c 3', '# EOF'].join('\n'),
  );
  assert.equal(exp.help.get('a'), 'first\nsecond \\ back');
  assert.equal(exp.help.has('b'), false);
  assert.equal(exp.types.get('a'), 'counter');
  assert.equal(exp.types.get('b'), 'gauge');
  assert.equal(exp.types.has('c'), false);
  assert.deepEqual(
    exp.samples.map((s) => [s.name, s.value]),
    [['a', 1], ['b', 2], ['c', 3]],
  );
});

test('Windows line endings and blank lines are tolerated', () => {
  assert.equal(parseExposition('a 1\r\n\r\nb 2\r\n').samples.length, 2);
});

test('malformed payloads fail with the line number', () => {
  const bad: Array<[string, RegExp]> = [
    ['<html><body>502 Bad Gateway</body></html>', /line 1/],
    ['ok 1\nm{a="1" 2', /line 2: expected "," or "}"/],
    ['m{a="1} 2', /unterminated/],
    ['m{a="\\x"} 2', /invalid escape/],
    ['m{a=1} 2', /quoted value/],
    ['m{a="1",a="2"} 2', /duplicate label/],
    ['m one', /invalid value/],
    ['m', /expected "value/],
    ['m 1 2 3', /expected "value/],
    ['m 1 1.5', /invalid timestamp/],
    ['# TYPE m sometype', /unknown metric type/],
    ['# TYPE m gauge\n# TYPE m gauge', /second TYPE/],
    ['{"json": true}', /expected a metric name/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseExposition(text), (err: unknown) => err instanceof PromParseError && re.test(err.message), text);
  }
});

test('floats follow the exposition grammar', () => {
  assert.equal(parsePromFloat('12'), 12);
  assert.equal(parsePromFloat('+Inf'), Infinity);
  assert.equal(parsePromFloat('Inf'), Infinity);
  assert.equal(parsePromFloat(''), undefined);
  assert.equal(parsePromFloat('1,5'), undefined);
  assert.equal(parsePromFloat('0x'), undefined);
});

test('a recorded prom-client exposition parses completely, with +Inf buckets and labelled series', () => {
  const exp = parseExposition(fixture('target-t1.txt'));
  assert.equal(exp.types.get('http_request_duration_seconds'), 'histogram');
  const inf = exp.samples.filter((s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.le === '+Inf');
  assert.equal(inf.length, 2);
  assert.equal(inf.reduce((a, s) => a + s.value, 0), 110);
  assert.deepEqual(
    exp.samples.find((s) => s.name === 'rate_limited_total')?.labels,
    { tier: 'free' },
  );
});
