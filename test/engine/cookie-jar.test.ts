import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, parseSetCookie } from '../../src/engine/cookie-jar.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import { ConfigError } from '../../src/errors.ts';

test('a cookie set by the target goes back on the next requests whose path it matches', () => {
  const jar = new CookieJar(false);
  jar.store(['sid=abc; Path=/; HttpOnly', 'pref=dark; Path=/app'], '/login', 0);
  assert.equal(jar.header('/companies?x=1', 1), 'sid=abc');
  assert.equal(jar.header('/app/page', 1), 'pref=dark; sid=abc', 'longer paths first');
  assert.equal(jar.header('/application', 1), 'sid=abc', '/app does not match /application');
});

test('the default path is the request path up to its last slash', () => {
  const jar = new CookieJar(false);
  jar.store(['a=1'], '/api/v1/login?next=/', 0);
  assert.equal(jar.header('/api/v1/companies', 1), 'a=1');
  assert.equal(jar.header('/api/v2', 1), undefined);
});

test('a cookie is replaced by name and path, and deleted by Max-Age=0 or an Expires in the past', () => {
  const jar = new CookieJar(false);
  jar.store(['a=1; Path=/', 'b=2; Path=/'], '/', 0);
  jar.store(['a=3; Path=/'], '/', 1);
  assert.equal(jar.header('/', 2), 'a=3; b=2');
  jar.store(['a=; Max-Age=0; Path=/', 'b=x; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], '/', 3);
  assert.equal(jar.header('/', 4), undefined);
  assert.equal(jar.size, 0);
});

test('a cookie with Max-Age expires when its time is up', () => {
  const jar = new CookieJar(false);
  jar.store(['t=1; Max-Age=2; Path=/'], '/', 1000);
  assert.equal(jar.header('/', 2999), 't=1');
  assert.equal(jar.header('/', 3000), undefined);
});

test('Secure cookies go over https only; clear() forgets everything', () => {
  const plain = new CookieJar(false);
  const tls = new CookieJar(true);
  for (const jar of [plain, tls]) jar.store(['s=1; Secure; Path=/'], '/', 0);
  assert.equal(plain.header('/', 1), undefined);
  assert.equal(tls.header('/', 1), 's=1');
  tls.clear();
  assert.equal(tls.header('/', 1), undefined);
});

test('a Set-Cookie without a name=value pair is ignored', () => {
  assert.equal(parseSetCookie('garbage', '/', 0), undefined);
  assert.equal(parseSetCookie('=v', '/', 0), undefined);
  assert.deepEqual(parseSetCookie(' k = v ; path=/x', '/', 0), ['k', { value: 'v', path: '/x', secure: false }]);
});

test('cookies and noCookiesReset are booleans, and noCookiesReset needs the jar', () => {
  const base = { name: 'c', target: { baseUrl: 'http://127.0.0.1:1' }, load: { executor: 'shared-iterations' }, journeys: [{ name: 'j', steps: [{ name: 's', path: '/' }] }] };
  const problems = (extra: Record<string, unknown>) => {
    try {
      validateScenario({ ...base, ...extra });
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.issues.map((i) => `${i.path}: ${i.message}`);
    }
  };
  assert.deepEqual(problems({ cookies: true, noCookiesReset: true }), []);
  assert.deepEqual(problems({ cookies: 'on' }), ['cookies: must be true or false, got "on"']);
  assert.deepEqual(problems({ cookies: false, noCookiesReset: true }), ['noCookiesReset: keeps cookies from one iteration to the next, but cookies is false (no cookie jar): drop one of them']);
});
