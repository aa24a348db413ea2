import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileJsonPath } from '../../src/scenario/json-path.ts';
import { ConfigError } from '../../src/errors.ts';

const doc = {
  access_token: 'tok',
  a: { b: [{ c: 1 }, { c: 2 }] },
  'odd key': { 'x.y': true },
  list: [10, 20, [30, 40]],
  zero: 0,
  nil: null,
};

const found: [string, unknown][] = [
  ['$', doc],
  ['$.access_token', 'tok'],
  ['$.a.b[0].c', 1],
  ['$.a.b[1].c', 2],
  ["$['odd key']['x.y']", true],
  ['$["odd key"]', { 'x.y': true }],
  ['$.list[2][1]', 40],
  ['$.zero', 0],
  ['$.nil', null],
  ['$.a.b[5].c', undefined],
  ['$.missing.deep', undefined],
  ['$.access_token.length', undefined],
  ['$.list.length', undefined],
  ['$.constructor', undefined],
  ['$.a[0]', undefined],
];
for (const [path, value] of found) {
  test(`the JSON path ${path} reads ${JSON.stringify(value) ?? 'nothing'}`, () => {
    assert.deepEqual(compileJsonPath(path)(doc), value);
  });
}

test('a JSON path on a primitive or null reads nothing', () => {
  assert.equal(compileJsonPath('$.a')(null), undefined);
  assert.equal(compileJsonPath('$.a')('text'), undefined);
  assert.equal(compileJsonPath('$[0]')([7]), 7);
});

const bad = ['', 'a.b', '$.', '$..a', '$[a]', "$['a]", '$.a b', '$[-1]', '$a'];
for (const path of bad) {
  test(`the JSON path '${path}' is a ConfigError naming the field`, () => {
    assert.throws(
      () => compileJsonPath(path, 'journeys[0].steps[0].capture.token'),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.issues[0]!.path === 'journeys[0].steps[0].capture.token' &&
        err.issues[0]!.message.startsWith(`invalid JSON path "${path}"`),
    );
  });
}
