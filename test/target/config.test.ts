import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TargetConfigError, parseTargetConfig, redactUrl } from '../../src/target/config.ts';
import { DbUnavailableError, classifyDbError } from '../../src/target/db/errors.ts';
import { HttpError, errorResponse } from '../../src/target/http-errors.ts';
import { applyFaultPatch, NO_FAULTS } from '../../src/target/upstream/faults.ts';
import { mintedSubject, parseSeedSize, parseTtlS } from '../../src/target/tools.ts';
import { likePrefix, decodeCursor, encodeCursor } from '../../src/target/routes/companies.ts';

test('an empty environment gives the documented defaults', () => {
  const c = parseTargetConfig({});
  assert.equal(c.workers, 1);
  assert.equal(c.dbPoolMax, 20);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.rateLimitFailPolicy, 'open');
  assert.equal(c.logLevel, 'info');
  assert.ok(c.redisCommandTimeoutMs >= 100 && c.redisCommandTimeoutMs <= 200);
});

const badEnv: Array<[Record<string, string>, string]> = [
  [{ PORT: 'abc' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ TARGET_WORKERS: '-1' }, 'TARGET_WORKERS'],
  [{ DB_POOL_MAX: '2.5' }, 'DB_POOL_MAX'],
  [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
  [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  [{ RATE_LIMIT_FAIL_POLICY: 'maybe' }, 'RATE_LIMIT_FAIL_POLICY'],
  [{ JWT_PRIVATE_KEY_FILE: '/k.pem' }, 'JWT_PUBLIC_KEY_FILE'],
  [{ SLOW_ROUTE: 'companies=2' }, 'SLOW_ROUTE'],
  [{ TARGET_TLS: 'yes' }, 'TARGET_TLS'],
  [{ TARGET_TLS: '1', TLS_KEY_FILE: '/k.pem' }, 'TLS_CERT_FILE'],
  [{ TARGET_TLS: '1', TLS_CERT_FILE: '/c.pem' }, 'TLS_KEY_FILE'],
  [{ SLOW_ROUTE: 'GET /api/v1/companies=0.5' }, 'SLOW_ROUTE'],
  [{ SLOW_DB_FACTOR: 'fast' }, 'SLOW_DB_FACTOR'],
  [{ SLOW_DB_FACTOR: '0.5' }, 'SLOW_DB_FACTOR'],
];
for (const [env, field] of badEnv) {
  test(`a bad ${field} is reported by name`, () => {
    assert.throws(() => parseTargetConfig(env), (err: unknown) => err instanceof TargetConfigError && err.issues.some((i) => i.path === field));
  });
}

test('every bad variable is reported at once', () => {
  assert.throws(
    () => parseTargetConfig({ PORT: 'x', TARGET_WORKERS: 'y' }),
    (err: unknown) => err instanceof TargetConfigError && err.issues.length === 2,
  );
});

test('the testbed knobs are off by default and parse a route template with its factor', () => {
  assert.equal(parseTargetConfig({}).slowRoute, undefined);
  assert.equal(parseTargetConfig({}).slowDbFactor, 1);
  const c = parseTargetConfig({ SLOW_ROUTE: 'GET /api/v1/companies/:ticker=1.3', SLOW_DB_FACTOR: '1.5' });
  assert.deepEqual(c.slowRoute, { method: 'GET', url: '/api/v1/companies/:ticker', factor: 1.3 });
  assert.equal(c.slowDbFactor, 1.5);
  assert.deepEqual(parseTargetConfig({ SLOW_ROUTE: 'GET /api/v1/companies/:ticker+2.5ms' }).slowRoute, { method: 'GET', url: '/api/v1/companies/:ticker', addMs: 2.5 });
});

test('a malformed SLOW_ROUTE is refused, naming the variable and both forms', () => {
  for (const raw of ['GET /x', 'GET /x=0.5', 'GET /x+0ms', 'GET /x+5', 'get /x=2', 'GET /x+20000ms']) {
    assert.throws(
      () => parseTargetConfig({ SLOW_ROUTE: raw }),
      (err: unknown) => err instanceof TargetConfigError && err.issues.some((i) => i.path === 'SLOW_ROUTE'),
      raw,
    );
  }
});

test('TLS is off by default; TARGET_TLS=1 takes the certificate and key files', () => {
  assert.equal(parseTargetConfig({}).tls, undefined);
  assert.equal(parseTargetConfig({ TARGET_TLS: '0', TLS_CERT_FILE: '/c.pem' }).tls, undefined);
  assert.deepEqual(parseTargetConfig({ TARGET_TLS: '1', TLS_CERT_FILE: '/c.pem', TLS_KEY_FILE: '/k.pem' }).tls, { certFile: '/c.pem', keyFile: '/k.pem' });
});

test('PORT=0 is allowed (the kernel picks one)', () => assert.equal(parseTargetConfig({ PORT: '0' }).port, 0));

test('redactUrl hides a password and keeps the rest', () => {
  assert.equal(redactUrl('postgres://u:secret@127.0.0.1:5432/db'), 'postgres://u:***@127.0.0.1:5432/db');
  assert.equal(redactUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  assert.equal(redactUrl('::nonsense'), '<invalid url>');
});

const dbErrors: Array<[string, unknown, string | undefined]> = [
  ['a pool wait timeout', new Error('timeout exceeded when trying to connect'), 'pool_exhausted'],
  ['a statement timeout', Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }), 'db_timeout'],
  ['the client\'s own query timeout (pg query_timeout)', new Error('Query read timeout'), 'db_timeout'],
  ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'db_unreachable'],
  ['an admin shutdown', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), 'db_unreachable'],
  ['a lost connection', new Error('Connection terminated unexpectedly'), 'db_unreachable'],
  ['a syntax error', Object.assign(new Error('syntax error'), { code: '42601' }), undefined],
  ['a non-error', 'boom', undefined],
];
for (const [name, err, reason] of dbErrors) {
  test(`classifyDbError: ${name} is ${reason ?? 'a genuine error'}`, () => assert.equal(classifyDbError(err)?.reason, reason));
}

const responses: Array<[string, unknown, number, string, number | undefined]> = [
  ['a 404 HttpError', new HttpError(404, 'not_found', 'no company'), 404, 'not_found', undefined],
  ['a 429 with Retry-After', new HttpError(429, 'rate_limited', 'slow down', { retryAfterS: 2 }), 429, 'rate_limited', 2],
  ['an exhausted pool', new DbUnavailableError('pool_exhausted'), 503, 'pool_exhausted', 1],
  ['a validation error', Object.assign(new Error('x'), { validation: [{ instancePath: '/limit', keyword: 'maximum', message: 'must be <= 100', params: {} }], validationContext: 'querystring' }), 400, 'validation_failed', undefined],
  ['a PostgreSQL data exception', Object.assign(new Error('date/time field value out of range'), { code: '22008' }), 400, 'validation_failed', undefined],
  ['a bad JSON body', Object.assign(new Error('Body is not valid JSON'), { statusCode: 400 }), 400, 'bad_request', undefined],
  ['an unexpected exception', new TypeError('cannot read x of undefined'), 500, 'internal_error', undefined],
];
for (const [name, err, status, code, retry] of responses) {
  test(`errorResponse: ${name} answers ${status} ${code}`, () => {
    const r = errorResponse(err);
    assert.equal(r.status, status);
    assert.equal(r.body.error, code);
    assert.equal(r.retryAfterS, retry);
  });
}

test('an unexpected exception never reaches the client with its message or stack', () => {
  const r = errorResponse(new Error('password=hunter2 at /srv/app.js:12'));
  assert.equal(JSON.stringify(r.body).includes('hunter2'), false);
  assert.equal(JSON.stringify(r.body).includes('app.js'), false);
  assert.equal(r.log, true);
});

const faultCases: Array<[unknown, string | null]> = [
  [{ latencyMs: 200 }, null],
  [{ errorRate: 0.5, hang: false }, null],
  [{ outage: true }, null],
  [{ latencyMs: -1 }, 'latencyMs'],
  [{ errorRate: 2 }, 'errorRate'],
  [{ hang: 'yes' }, 'hang'],
  [{ explode: true }, 'explode'],
  [[], 'body'],
];
for (const [patch, field] of faultCases) {
  test(`upstream control ${JSON.stringify(patch)} ${field ? `is refused naming ${field}` : 'is applied'}`, () => {
    if (field === null) {
      const next = applyFaultPatch(NO_FAULTS, patch);
      for (const [k, v] of Object.entries(patch as object)) assert.equal(next[k as keyof typeof next], v);
    } else {
      assert.throws(() => applyFaultPatch(NO_FAULTS, patch), new RegExp(field));
    }
  });
}

const ttlCases: Array<[string, number | null]> = [['900', 900], ['900s', 900], ['30m', 1800], ['2h', 7200], ['1d', 86400], ['2 weeks', null], ['0', null], ['', null]];
for (const [text, seconds] of ttlCases) {
  test(`--ttl ${JSON.stringify(text)} ${seconds === null ? 'is refused' : `is ${seconds} s`}`, () => {
    if (seconds === null) assert.throws(() => parseTtlS(text), /--ttl/);
    else assert.equal(parseTtlS(text), seconds);
  });
}

test('--size accepts small and default only', () => {
  assert.equal(parseSeedSize('small'), 'small');
  assert.throws(() => parseSeedSize('huge'), /--size/);
});

test('minted subjects are numbered with four digits', () => {
  assert.equal(mintedSubject('perfgate-load', 1), 'perfgate-load-0001');
  assert.equal(mintedSubject('perfgate-load', 12345), 'perfgate-load-12345');
});

test('a search prefix cannot smuggle LIKE wildcards', () => {
  assert.equal(likePrefix('AB'), 'AB%');
  assert.equal(likePrefix('50%_'), '50\\%\\_%');
  assert.equal(likePrefix('a\\b'), 'a\\\\b%');
});

test('a list cursor round-trips and a forged one is refused', () => {
  assert.equal(decodeCursor(encodeCursor('ABCD')), 'ABCD');
  assert.equal(decodeCursor(Buffer.from("x' OR 1=1").toString('base64url')), undefined);
});
