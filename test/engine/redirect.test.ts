import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossOriginDrops, redirectMethod, redirectRequest, requestLine } from '../../src/engine/redirect.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import { ConfigError } from '../../src/errors.ts';

const post = Buffer.from('POST /a?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer t\r\nCookie: s=1\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}', 'latin1');

test('the method after a redirect follows RFC 9110 as browsers and k6 do', () => {
  for (const [method, status, expected] of [
    ['POST', 301, 'GET'],
    ['POST', 302, 'GET'],
    ['POST', 303, 'GET'],
    ['PUT', 303, 'GET'],
    ['HEAD', 303, 'HEAD'],
    ['POST', 307, 'POST'],
    ['POST', 308, 'POST'],
    ['PUT', 301, 'PUT'],
    ['GET', 302, 'GET'],
  ] as const) assert.equal(redirectMethod(method, status), expected, `${method} after ${status}`);
});

test('requestLine reads the method and path of a serialised request', () => {
  assert.deepEqual(requestLine(post), { method: 'POST', path: '/a?x=1' });
  assert.deepEqual(requestLine(Buffer.from('GET / HTTP/1.1\r\n\r\n')), { method: 'GET', path: '/' });
});

test('a redirect that turns POST into GET drops the body and its headers, and keeps the rest', () => {
  const next = redirectRequest(post, 303, { pathAndQuery: '/b', hostHeader: '127.0.0.1:8080', crossOrigin: false }).toString('latin1');
  assert.equal(next, 'GET /b HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer t\r\nCookie: s=1\r\n\r\n');
});

test('307 and 308 resend the method and body', () => {
  const next = redirectRequest(post, 307, { pathAndQuery: '/c?y=2', hostHeader: '127.0.0.1:8080', crossOrigin: false }).toString('latin1');
  assert.equal(next, 'POST /c?y=2 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer t\r\nCookie: s=1\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}');
});

test('a redirect to another origin drops credentials and names the new host', () => {
  const next = redirectRequest(post, 308, { pathAndQuery: '/d', hostHeader: 'localhost:9000', crossOrigin: true }).toString('latin1');
  assert.ok(next.startsWith('POST /d HTTP/1.1\r\nHost: localhost:9000\r\n'), next);
  assert.doesNotMatch(next, /Authorization|Cookie/);
  assert.match(next, /Content-Length: 7\r\n\r\n\{"a":1\}$/);
});

test('a hop to another origin drops every header the scenario set, except those the step names and a resent body\'s framing', () => {
  const scenarioSet = ['X-Api-Key', 'x-trace', 'Authorization', 'Accept', 'Content-Type'];
  const request = Buffer.from(
    'POST /a HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: perfgate/0\r\nX-Api-Key: k-1\r\nx-trace: t-1\r\nAuthorization: Bearer t\r\n' +
      'Accept: text/csv\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}',
    'latin1',
  );
  const table: Array<{ name: string; keep: string[]; crossOrigin: boolean; headers: string[] }> = [
    { name: 'no opt-in: only what perfgate added and the body framing remain', keep: [], crossOrigin: true, headers: ['Host', 'User-Agent', 'Content-Type', 'Content-Length'] },
    { name: 'a named header follows, case-insensitively', keep: ['X-Trace'], crossOrigin: true, headers: ['Host', 'User-Agent', 'x-trace', 'Content-Type', 'Content-Length'] },
    { name: 'a credential never follows, even when named', keep: ['authorization', 'x-api-key'], crossOrigin: true, headers: ['Host', 'User-Agent', 'X-Api-Key', 'Content-Type', 'Content-Length'] },
    { name: 'within the origin every header stays', keep: [], crossOrigin: false, headers: ['Host', 'User-Agent', 'X-Api-Key', 'x-trace', 'Authorization', 'Accept', 'Content-Type', 'Content-Length'] },
  ];
  for (const c of table) {
    const next = redirectRequest(request, 307, { pathAndQuery: '/b', hostHeader: 'localhost:9000', crossOrigin: c.crossOrigin, crossOriginDrop: crossOriginDrops(scenarioSet, c.keep) }).toString('latin1');
    const names = next.split('\r\n\r\n')[0]!.split('\r\n').slice(1).map((l) => l.slice(0, l.indexOf(':')));
    assert.deepEqual(names, c.headers, c.name);
    assert.ok(next.endsWith('\r\n\r\n{"a":1}'), `${c.name}: the body is resent`);
  }
});

test('redirectHeaders must name headers, and never a credential header (ConfigError naming the field)', () => {
  const scenario = (redirectHeaders: unknown) => ({
    name: 'r', target: { baseUrl: 'http://127.0.0.1:1' }, load: { executor: 'constant-vus', vus: 1, duration: '1s' },
    journeys: [{ name: 'j', steps: [{ name: 's', path: '/', headers: { 'x-trace': '1' }, redirectHeaders }] }],
  });
  assert.deepEqual(validateScenario(scenario(['x-trace'])).journeys[0]!.steps[0]!, { name: 's', method: 'GET', path: '/', headers: { 'x-trace': '1' }, redirectHeaders: ['x-trace'] });
  const table: Array<[unknown, string, RegExp]> = [
    [['Authorization'], 'journeys[0].steps[0].redirectHeaders[0]', /credential/],
    [['x-trace', 'Cookie'], 'journeys[0].steps[0].redirectHeaders[1]', /credential/],
    [['bad header'], 'journeys[0].steps[0].redirectHeaders[0]', /header name/],
    ['x-trace', 'journeys[0].steps[0].redirectHeaders', /must be a list/],
  ];
  for (const [value, path, message] of table) {
    assert.throws(() => validateScenario(scenario(value)), (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      const issue = err.issues.find((i) => i.path === path);
      assert.ok(issue, `${JSON.stringify(value)}: ${JSON.stringify(err.issues)}`);
      assert.match(issue.message, message);
      return true;
    });
  }
});
