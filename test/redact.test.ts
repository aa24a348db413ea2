import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, SECRET_KEY, redactDeep, redactParams, redactText, redactUrl, shapeOf, urlSecrets } from '../src/redact.ts';

test('the one marker is three asterisks', () => assert.equal(REDACTED, '***'));

const urls: Array<[string, string, string]> = [
  ['a URL without credentials is kept as written', 'http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ['a URL with a trailing slash is kept as written', 'http://127.0.0.1/', 'http://127.0.0.1/'],
  ['an http password is hidden', 'http://u:secret@127.0.0.1:5432/db', 'http://u:***@127.0.0.1:5432/db'],
  ['a postgres password is hidden', 'postgres://perfgate:s3cr3t@127.0.0.1:5432/perfgate', 'postgres://perfgate:***@127.0.0.1:5432/perfgate'],
  ['an escaped postgres password is hidden', 'postgres://app:s3cr%40t@127.0.0.1:5432/db', 'postgres://app:***@127.0.0.1:5432/db'],
  ['a postgresql:// password is hidden', 'postgresql://app:pw@h/db', 'postgresql://app:***@h/db'],
  ['a redis password without a user is hidden', 'redis://:pw@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
  ['an escaped redis password is hidden', 'redis://:p%40ss@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
  ['an empty password is marked too', 'redis://u:@127.0.0.1:6379', 'redis://u:***@127.0.0.1:6379'],
  ['a redis URL without a password is kept', 'redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
  ['a short user name alone is kept', 'postgres://app@127.0.0.1/db', 'postgres://app@127.0.0.1/db'],
  ['a long token as the user name is hidden', 'https://ghp_abcdefghijklmnop1234@github.com/x', 'https://***@github.com/x'],
  ['a password query parameter is hidden', 'postgres://app@127.0.0.1/db?sslmode=disable&password=x', 'postgres://app@127.0.0.1/db?sslmode=disable&password=***'],
  ['a token query parameter is hidden', 'http://127.0.0.1/cb?token=abc&page=2', 'http://127.0.0.1/cb?token=***&page=2'],
  ['a secret-named query parameter is hidden', 'http://127.0.0.1/m?x=1&client_secret=s&apiKey=k&session_id=9', 'http://127.0.0.1/m?x=1&client_secret=***&apiKey=***&session_id=***'],
  ['an access_token after the fragment-free query is hidden', 'http://h/x?access_token=abc', 'http://h/x?access_token=***'],
  ['a URL with both forms loses both', 'postgres://a:b@h/db?sslpassword=c', 'postgres://a:***@h/db?sslpassword=***'],
  ['a request path loses its secret query parameters', '/x?session=1&key=k&page=2', '/x?session=***&key=***&page=2'],
  ['a key= query parameter is hidden', 'http://127.0.0.1/m?key=abc&x=1', 'http://127.0.0.1/m?key=***&x=1'],
  ['short forms pw, pwd and sig are hidden', 'http://h/x?pw=a&pwd=b&sig=c&page=1', 'http://h/x?pw=***&pwd=***&sig=***&page=1'],
  ['a signature parameter is hidden', '/cb?X-Amz-Signature=abc&X-Amz-Date=1', '/cb?X-Amz-Signature=***&X-Amz-Date=1'],
  ['a libpq keyword string loses its password', 'host=127.0.0.1 user=app password=pw dbname=x', 'host=127.0.0.1 user=app password=*** dbname=x'],
  ['text that is not a URL is kept', 'not a url', 'not a url'],
];
for (const [name, input, want] of urls) {
  test(`redactUrl: ${name}`, () => assert.equal(redactUrl(input), want));
}

const texts: Array<[string, string, string[], string]> = [
  ['URLs inside a sentence lose their passwords', 'failed: connect to postgres://a:b1234@h/db (refused)', [], 'failed: connect to postgres://a:***@h/db (refused)'],
  ['several URLs in one text are all redacted', 'from redis://:x@h1 to http://u:y@h2/p', [], 'from redis://:***@h1 to http://u:***@h2/p'],
  ['secret parameters of a URL inside text are hidden', 'GET http://u:p@h/x?token=abc&x=1', [], 'GET http://u:***@h/x?token=***&x=1'],
  ['free password= pairs are hidden', 'auth: password=zzz token=ttt secret=sss pwd=ppp', [], 'auth: password=*** token=*** secret=*** pwd=***'],
  ['a URL inside HTML stops at the quote', '<a href="http://u:pw@h/">x</a>', [], '<a href="http://u:***@h/">x</a>'],
  ['known secret values are replaced wherever they appear', 'auth failed for secretvalue', ['secretvalue'], 'auth failed for ***'],
  ['known secrets shorter than three characters are not replaced', 'ab cd', ['ab'], 'ab cd'],
  ['redacting twice changes nothing', 'postgres://app:***@h/db?password=***', [], 'postgres://app:***@h/db?password=***'],
  ['text without secrets is kept', 'no secrets here: a=1', [], 'no secrets here: a=1'],
  ['pw= inside a body field is hidden', 'note: login pw=hunter2 then key=k1 and x-signature=s', [], 'note: login pw=*** then key=*** and x-signature=***'],
];
for (const [name, input, secrets, want] of texts) {
  test(`redactText: ${name}`, () => assert.equal(redactText(input, secrets), want));
}

const params: Array<[string, string]> = [
  ['user=ann&password=pw&remember=1', 'user=ann&password=***&remember=1'],
  ['passphrase=x', 'passphrase=***'],
  ['a=1&b=2', 'a=1&b=2'],
];
for (const [input, want] of params) {
  test(`redactParams: the form body ${input} is written as ${want}`, () => assert.equal(redactParams(input), want));
}

const secrets: Array<[string, string, string[]]> = [
  ['a password, raw and decoded', 'postgres://u:p%40ss@h/db', ['p%40ss', 'p@ss']],
  ['secret query values', 'http://h/metrics?token=abc&x=1', ['abc']],
  ['nothing without credentials', 'http://h/metrics', []],
  ['nothing from a non-URL', 'not a url', []],
];
for (const [name, input, want] of secrets) {
  test(`urlSecrets finds ${name}`, () => assert.deepEqual(urlSecrets(input), want));
}

test('redactDeep replaces secret-named string fields and URL credentials everywhere, and keeps the rest', () => {
  const input = {
    password: 'x',
    empty: { password: '' },
    nested: { apiKey: 'k', url: 'mysql://a:b@h', Authorization: 'Bearer t', sessionToken: 's' },
    list: ['http://c:d@h', { client_secret: 'z' }],
    pass: true,
    checksPassed: 3,
    thresholds: { 'http_req_duration{name:token}': { ok: true } },
  };
  const before = JSON.stringify(input);
  assert.deepEqual(redactDeep(input), {
    password: '***',
    empty: { password: '' },
    nested: { apiKey: '***', url: 'mysql://a:***@h', Authorization: '***', sessionToken: '***' },
    list: ['http://c:***@h', { client_secret: '***' }],
    pass: true,
    checksPassed: 3,
    thresholds: { 'http_req_duration{name:token}': { ok: true } },
  });
  assert.equal(JSON.stringify(input), before, 'the input is not modified');
});

test('redactDeep with byKey all replaces every value of a secret-named key, and with none only redacts strings', () => {
  const input = { token: 12, credentials: { user: 'a' }, url: 'redis://:pw@h', keep: 'k' };
  assert.deepEqual(redactDeep(input, { byKey: 'all' }), { token: '***', credentials: '***', url: 'redis://:***@h', keep: 'k' });
  assert.deepEqual(redactDeep(input, { byKey: 'none' }), { token: 12, credentials: { user: 'a' }, url: 'redis://:***@h', keep: 'k' });
  assert.deepEqual(redactDeep({ path: '/x?session=1', u: 'http://h/?session=1' }, { text: redactUrl }), { path: '/x?session=***', u: 'http://h/?session=***' });
});

const names: Array<[string, boolean]> = [
  ['Authorization', true], ['X-Signature', true], ['X-Api-Key', true], ['Cookie', true], ['Set-Cookie', true],
  ['X-Session-Id', true], ['X-Auth-Token', true], ['X-Password', true], ['client_secret', true], ['passphrase', true],
  ['credentials', true], ['key', true], ['pw', true], ['PWD', true], ['pass', true], ['sig', true],
  ['accept', false], ['content-type', false], ['x-request-id', false], ['page', false], ['bypass', false],
  ['checksPassed', false], ['signal', false], ['pwm', false],
];
for (const [name, secret] of names) {
  test(`the name ${name} is ${secret ? '' : 'not '}secret by the documented rule`, () => assert.equal(SECRET_KEY.test(name), secret));
}

test('shapeOf keeps keys and types, never values', () => {
  assert.deepEqual(shapeOf({ user: 'ann', pin: 1234, ok: true, none: null, tags: ['a', { pw: 'x' }] }), {
    user: '<string>', pin: '<number>', ok: '<boolean>', none: null, tags: ['<string>', { pw: '<string>' }],
  });
  assert.equal(shapeOf('user=ann&pw=hunter2'), 'user=<string>&pw=<string>');
  assert.equal(shapeOf('free text with pw=hunter2 in it'), '<string>');
});
