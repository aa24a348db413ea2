import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardTarget, isAllowedHost, isLoopbackAddress } from '../../src/engine/host-guard.ts';
import { redactUrl } from '../../src/redact.ts';
import { HostNotAllowedError } from '../../src/errors.ts';

test('loopback addresses are recognised and others are not', () => {
  const table: Array<[string, boolean]> = [
    ['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['[::1]', true], ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false], ['192.168.1.1', false], ['::ffff:10.0.0.1', false], ['1.2.3.4', false], ['fe80::1', false],
  ];
  for (const [a, want] of table) assert.equal(isLoopbackAddress(a), want, a);
});

test('the allow-list matches hosts exactly or by wildcard suffix', () => {
  assert.equal(isAllowedHost('api.example.com', ['api.example.com']), true);
  assert.equal(isAllowedHost('API.example.com', ['api.example.com']), true);
  assert.equal(isAllowedHost('x.example.com', ['*.example.com']), true);
  assert.equal(isAllowedHost('example.org', ['*.example.com']), false);
  assert.equal(isAllowedHost('evil.com', []), false);
});

test('loopback targets pass the guard and resolve to a loopback address', async () => {
  for (const url of ['http://127.0.0.1:8080', 'http://localhost:3000/x', 'http://[::1]:9000']) {
    const t = await guardTarget(url);
    assert.ok(isLoopbackAddress(t.address), `${url} -> ${t.address}`);
  }
});

test('a non-loopback target is refused unless allowed, with the flag named in the message', async () => {
  await assert.rejects(guardTarget('http://10.1.2.3:80'), (err: unknown) => err instanceof HostNotAllowedError && /--allow-host 10\.1\.2\.3/.test(err.message));
  const t = await guardTarget('http://10.1.2.3:80', ['10.1.2.3']);
  assert.equal(t.address, '10.1.2.3');
  await assert.rejects(guardTarget('ftp://127.0.0.1'), (err: unknown) => err instanceof HostNotAllowedError && /only http:\/\/ and https:\/\//.test(err.message));
  await assert.rejects(guardTarget('not a url'), HostNotAllowedError);
});

test('a resolved target carries its protocol, origin, default port and Host header', async () => {
  for (const [url, protocol, origin, port, hostHeader] of [
    ['http://127.0.0.1', 'http:', 'http://127.0.0.1', 80, '127.0.0.1'],
    ['https://LOCALHOST:8443/api', 'https:', 'https://localhost:8443', 8443, 'localhost:8443'],
    ['https://127.0.0.1', 'https:', 'https://127.0.0.1', 443, '127.0.0.1'],
    ['http://[::1]:8080', 'http:', 'http://[::1]:8080', 8080, '[::1]:8080'],
  ] as const) {
    const t = await guardTarget(url);
    assert.deepEqual([t.protocol, t.origin, t.port, t.hostHeader], [protocol, origin, port, hostHeader], url);
  }
});

test('passwords in URLs are redacted', () => {
  assert.equal(redactUrl('http://u:secret@127.0.0.1:5432/db'), 'http://u:***@127.0.0.1:5432/db');
  assert.equal(redactUrl('http://127.0.0.1/'), 'http://127.0.0.1/');
  assert.ok(!redactUrl('postgres://u:secret@host/db').includes('secret'));
});
