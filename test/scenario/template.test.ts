import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileTemplate,
  compileBodyTemplate,
  findTemplateVars,
  templateVarNames,
} from '../../src/scenario/template.ts';
import { ConfigError } from '../../src/errors.ts';
import type { ScenarioDefinition } from '../../src/scenario/types.ts';

const vars = {
  ticker: 'ACME',
  token: 'abc.def',
  row: { id: 7, name: 'a b/c', nested: { deep: 'x' } },
  qty: 3,
  flag: false,
  nothing: null,
  query: 'a&b=c d',
  env: { CLIENT_ID: 'client-1', EMPTY: '' },
};

const rendered: [string, string, boolean, string][] = [
  ['plain text', '/api/v1/companies', false, '/api/v1/companies'],
  ['empty', '', false, ''],
  ['one variable', '/api/v1/companies/{{ticker}}', false, '/api/v1/companies/ACME'],
  ['spaces inside braces', '{{ ticker }}', false, 'ACME'],
  ['a field of an object', '{{row.id}}', false, '7'],
  ['a nested field', '{{row.nested.deep}}', false, 'x'],
  ['an environment variable', '{{env.CLIENT_ID}}', false, 'client-1'],
  ['an empty environment variable', '[{{env.EMPTY}}]', false, '[]'],
  ['a number and a boolean', '{{qty}}-{{flag}}', false, '3-false'],
  ['null as empty', 'x{{nothing}}y', false, 'xy'],
  ['an object as JSON', '{{row.nested}}', false, '{"deep":"x"}'],
  ['several variables', 'Bearer {{token}} for {{ticker}}', false, 'Bearer abc.def for ACME'],
  ['a header value as it is', '{{query}}', false, 'a&b=c d'],
  ['a path value URL-encoded', '/search?q={{query}}', true, '/search?q=a%26b%3Dc%20d'],
  ['a path field URL-encoded', '/x/{{row.name}}', true, '/x/a%20b%2Fc'],
  ['the literal part of a path is not encoded', '/a b/{{ticker}}', true, '/a b/ACME'],
];
for (const [name, template, urlEncode, out] of rendered) {
  test(`a template renders ${name}`, () => {
    assert.equal(compileTemplate(template, { urlEncode })(vars), out);
  });
}

const unknown: [string, string, string][] = [
  ['{{missing}}', 'missing', 'no capture, data feeder or setup value provides it'],
  ['{{row.nope}}', 'row.nope', 'no capture'],
  ['{{ticker.length}}', 'ticker.length', 'no capture'],
  ['{{env.NOT_SET}}', 'env.NOT_SET', 'environment variable NOT_SET is not set'],
];
for (const [template, name, hint] of unknown) {
  test(`rendering ${template} without that variable is an error naming it`, () => {
    const fn = compileTemplate(template, { field: 'journeys[0].steps[0].path' });
    assert.throws(
      () => fn(vars),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.issues[0]!.path === 'journeys[0].steps[0].path' &&
        err.issues[0]!.message.includes(`unknown template variable "${name}"`) &&
        err.issues[0]!.message.includes(hint),
    );
  });
}

for (const bad of ['{{}}', '{{a b}}', '{{a..b}}', '{{ticker}', 'x}}']) {
  test(`the malformed template '${bad}' is rejected when compiled`, () => {
    assert.throws(() => compileTemplate(bad, { field: 'f' }), ConfigError);
  });
}

test('variable names are listed in order', () => {
  assert.deepEqual(templateVarNames('/a/{{x}}/{{ env.Y }}/{{r.c}}'), ['x', 'env.Y', 'r.c']);
});

test('a JSON body is templated recursively and serialised, keeping the type of a lone placeholder', () => {
  const fn = compileBodyTemplate({
    clientId: '{{env.CLIENT_ID}}',
    qty: '{{qty}}',
    label: 'n={{qty}}',
    items: ['{{ticker}}', 1, true, null, { id: '{{row.id}}' }],
  });
  assert.equal(
    fn(vars),
    '{"clientId":"client-1","qty":3,"label":"n=3","items":["ACME",1,true,null,{"id":7}]}',
  );
});

test('a body without placeholders is serialised once and returned as the same string', () => {
  const fn = compileBodyTemplate({ a: 1, b: ['x'] });
  assert.equal(fn({}), '{"a":1,"b":["x"]}');
  assert.equal(fn({}), fn({ other: 1 }));
});

test('a string body is a plain template, not JSON', () => {
  assert.equal(compileBodyTemplate('ticker={{ticker}}&q={{query}}')(vars), 'ticker=ACME&q=a&b=c d');
});

test('an unknown variable in a body names the body field', () => {
  const fn = compileBodyTemplate({ a: { b: '{{nope}}' } }, 'setup.steps[0].body');
  assert.throws(
    () => fn(vars),
    (err: unknown) => err instanceof ConfigError && err.issues[0]!.path === 'setup.steps[0].body.a.b',
  );
});

test('findTemplateVars marks variables nothing provides', () => {
  const def: ScenarioDefinition = {
    name: 't',
    target: { baseUrl: 'http://127.0.0.1:1' },
    load: { executor: 'constant-vus', vus: 1, duration: '1s' },
    setup: { steps: [{ name: 'token', method: 'POST', path: '/auth', body: { id: '{{env.CLIENT_ID}}' }, capture: { token: '$.t' } }] },
    data: { ticker: { file: 'fixtures/tickers.csv', column: 'ticker' } },
    journeys: [
      {
        name: 'j',
        steps: [
          { name: 'a', path: '/c/{{ticker}}?vu={{__VU}}', headers: { authorization: 'Bearer {{token}}' }, capture: { id: '$.id' } },
          { name: 'b', path: '/r/{{id}}/{{typo}}', body: { x: ['{{env.MISSING}}'] } },
        ],
      },
      { name: 'k', steps: [{ name: 'c', path: '/r/{{id}}' }] },
    ],
  };
  const uses = findTemplateVars(def, { env: { CLIENT_ID: 'x' } });
  const unprovided = uses.filter((u) => !u.provided).map((u) => `${u.path}: ${u.name}`);
  assert.deepEqual(unprovided, [
    'journeys[0].steps[1].path: typo',
    'journeys[0].steps[1].body.x[0]: env.MISSING',
    'journeys[1].steps[0].path: id',
  ]);
  assert.equal(uses.length, 8);
  assert.equal(findTemplateVars(def).filter((u) => !u.provided).length, 2, 'env unknown: assumed provided');
});
