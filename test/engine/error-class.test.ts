import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyError, classifyStatus, isExpectedStatus } from '../../src/engine/error-class.ts';

test('socket and DNS errors map to their error classes', () => {
  const table: Array<[string | undefined, string]> = [
    ['ECONNREFUSED', 'econnrefused'], ['ECONNRESET', 'econnreset'], ['EPIPE', 'econnreset'],
    ['PERFGATE_CLOSED', 'econnreset'], ['PERFGATE_TIMEOUT', 'timeout'], ['ETIMEDOUT', 'timeout'],
    ['ENETUNREACH', 'unreachable'], ['EHOSTUNREACH', 'unreachable'], ['ENETDOWN', 'unreachable'], ['EHOSTDOWN', 'unreachable'],
    ['ENOTFOUND', 'dns'], ['EAI_AGAIN', 'dns'], ['PERFGATE_PROTOCOL', 'protocol'], ['HPE_INVALID_HEADER_TOKEN', 'protocol'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'], ['EWHATEVER', 'other'], [undefined, 'other'],
  ];
  for (const [code, cls] of table) assert.equal(classifyError(code === undefined ? undefined : { code }), cls, String(code));
});

test('unexpected statuses map to rate_limited, http_4xx, http_5xx or other', () => {
  const table: Array<[number, string]> = [[429, 'rate_limited'], [404, 'http_4xx'], [400, 'http_4xx'], [500, 'http_5xx'], [503, 'http_5xx'], [200, 'other'], [302, 'other']];
  for (const [status, cls] of table) assert.equal(classifyStatus(status), cls, String(status));
});

test('success is 200-399 by default and exactly the expect list when given', () => {
  assert.equal(isExpectedStatus(200, undefined), true);
  assert.equal(isExpectedStatus(399, undefined), true);
  assert.equal(isExpectedStatus(404, undefined), false);
  assert.equal(isExpectedStatus(404, new Set([404])), true);
  assert.equal(isExpectedStatus(200, new Set([201])), false);
});
