import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redirectMethod, redirectRequest, requestLine } from '../../src/engine/redirect.ts';

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
