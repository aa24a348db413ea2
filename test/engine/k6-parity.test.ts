// k6 parity features on the engine against real loopback servers: scenario-wide defaults, journey tags, named and
// comparing checks, and the cookie jar.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runEngine } from '../support/engine-run.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import { aggregateClient } from '../../src/metrics/aggregate.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardTarget } from '../../src/engine/host-guard.ts';
import { compilePlan } from '../../src/engine/plan.ts';
import { runSetup } from '../../src/run/setup.ts';

let json: TestServer;
let rec: RecordingServer;
before(async () => {
  json = await startJsonServer();
  rec = await startRecordingServer();
});
after(async () => {
  await json.close();
  await rec.close();
});

/** A server that keeps every request (url, headers); `/login` answers a token, `/slow?ms=N` after N ms, `/cookie/set?name=v` sets a cookie. */
interface RecordingServer {
  url: string;
  requests: Array<{ url: string; headers: Record<string, string | string[] | undefined> }>;
  close(): Promise<void>;
}

async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordingServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    const u = new URL(req.url ?? '/', 'http://x');
    const reply = (body: unknown, headers: Record<string, string | string[]> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    if (u.pathname.endsWith('/login')) return reply({ token: 't0k' });
    if (u.pathname.endsWith('/slow')) return void setTimeout(() => reply({}), Number(u.searchParams.get('ms') ?? 0));
    if (u.pathname.endsWith('/cookie/set')) {
      return reply({}, { 'set-cookie': [...u.searchParams].map(([k, v]) => `${k}=${v}; Path=/; HttpOnly`) });
    }
    reply({ url: req.url, cookie: req.headers.cookie ?? null });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

const ALL = { fromMs: 0, toMs: Infinity };
const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);

test('default headers, base path and timeout reach every journey step; setup steps are left as written', async () => {
  const def = validateScenario({
    name: 'd',
    target: { baseUrl: `${rec.url}/svc` },
    load: { executor: 'per-vu-iterations', vus: 1, iterations: 1 },
    defaults: { headers: { 'x-team': 'perf', 'x-vu': 'vu-{{__VU}}' }, basePath: '/api/v1', timeout: '300ms' },
    setup: { steps: [{ name: 'login', path: '/login', capture: { token: '$.token' } }] },
    journeys: [{ name: 'j', steps: [
      { name: 'plain', path: '/a' },
      { name: 'own', path: '/b', headers: { 'X-Team': 'mine' } },
      { name: 'slow', path: '/slow?ms=1000' },
      { name: 'patient', path: '/slow?ms=400', timeout: '2s' },
    ] }],
  });
  rec.requests.length = 0;
  const target = await guardTarget(def.target.baseUrl);
  const globals = await runSetup(compilePlan(def, target), target, {}, (err) => assert.fail(err));
  assert.equal(globals.token, 't0k');
  const { reqs } = await runEngine(def, globals);
  const [login, plain, own] = rec.requests;
  assert.equal(login!.url, '/svc/login', 'setup: no base path');
  assert.equal(login!.headers['x-team'], undefined, 'setup: no default headers');
  assert.equal(plain!.url, '/svc/api/v1/a');
  assert.equal(plain!.headers['x-team'], 'perf');
  assert.equal(plain!.headers['x-vu'], 'vu-1');
  assert.equal(own!.url, '/svc/api/v1/b');
  assert.equal(own!.headers['x-team'], 'mine', "the step's own header wins, whatever its case");
  const byName = (n: string) => reqs.filter((r) => r.name === n);
  assert.equal(sum(byName('slow'), (r) => r.errors.timeout ?? 0), 1, 'the default timeout applies');
  assert.equal(sum(byName('patient'), (r) => r.statuses['200'] ?? 0), 1, "the step's own timeout wins");
});

test('every request carries its journey, and {journey:X} selects it', async () => {
  const def = validateScenario({
    name: 'g',
    target: { baseUrl: json.url },
    load: { executor: 'shared-iterations', vus: 2, iterations: 40 },
    journeys: [
      { name: 'browse', weight: 1, steps: [{ name: 'root', path: '/' }] },
      { name: 'write', weight: 1, steps: [{ name: 'root', path: '/' }, { name: 'post', method: 'POST', path: '/echo', body: { a: 1 } }] },
    ],
  });
  const { reqs, ticks } = await runEngine(def);
  const all = [...reqs, ...ticks];
  const browse = aggregateClient(all, 'http_reqs', { journey: 'browse' }, ALL).get({ kind: 'count' })!;
  const write = aggregateClient(all, 'http_reqs', { journey: 'write' }, ALL).get({ kind: 'count' })!;
  const writeRoot = aggregateClient(all, 'http_reqs', { journey: 'write', name: 'root' }, ALL).get({ kind: 'count' })!;
  assert.equal(browse + write, 40 + writeRoot, 'each iteration is one journey: one request, or two');
  assert.ok(browse > 0 && writeRoot > 0, `both journeys ran (${browse}, ${writeRoot})`);
  assert.equal(browse + writeRoot, 40);
  assert.ok(reqs.every((r) => r.journey === 'browse' || r.journey === 'write'));
});

test('jsonPath checks compare and count by name: checks{check:NAME} sees each one', async () => {
  const def = validateScenario({
    name: 'c',
    target: { baseUrl: json.url },
    load: { executor: 'per-vu-iterations', vus: 2, iterations: 5 },
    journeys: [{ name: 'j', steps: [{
      name: 'token', path: '/token',
      check: {
        name: 'token ok', status: 200,
        jsonPath: [
          { path: '$.access_token', matches: '^tok-\\d+$', name: 'token shape' },
          { path: '$.nested.id', gt: 5, lt: 10, name: 'id range' },
          { path: '$.nested.id', in: [1, 2], name: 'id listed' },
          { path: '$.access_token', length: { gt: 100 } },
        ],
      },
    }] }],
  });
  const { reqs } = await runEngine(def);
  const all = [...reqs];
  const rate = (check?: string) => aggregateClient(all, 'checks', check ? { check } : {}, ALL).get({ kind: 'rate' });
  assert.equal(rate('token shape'), 1);
  assert.equal(rate('id range'), 1);
  assert.equal(rate('id listed'), 0);
  assert.equal(rate('token ok'), 0.5, 'the status passes, the unnamed length check fails: both under the block name');
  assert.equal(rate(), 3 / 5);
  assert.equal(sum(reqs, (r) => r.checksPassed + r.checksFailed), 50, '10 responses x 5 checks');
  assert.equal(sum(reqs, (r) => r.failed), 0, 'a failed check leaves the request a success');
});

test('each VU keeps the cookies the target sets, clears them per iteration unless noCookiesReset, or keeps none', async () => {
  const cookiesSeen = async (extra: Record<string, unknown>) => {
    rec.requests.length = 0;
    const def = validateScenario({
      name: 'k',
      target: { baseUrl: rec.url },
      load: { executor: 'per-vu-iterations', vus: 1, iterations: 2 },
      journeys: [{ name: 'j', steps: [
        { name: 'before', path: '/see' },
        { name: 'set', path: '/cookie/set?sid=v{{__ITER}}' },
        { name: 'after', path: '/see/deeper' },
        { name: 'own', path: '/see', headers: { cookie: 'mine=1' } },
      ] }],
      ...extra,
    });
    await runEngine(def);
    return rec.requests.map((r) => `${r.url.split('?')[0]} ${r.headers.cookie ?? '-'}`);
  };
  assert.deepEqual(await cookiesSeen({}), [
    '/see -', '/cookie/set -', '/see/deeper sid=v0', '/see mine=1',
    '/see -', '/cookie/set -', '/see/deeper sid=v1', '/see mine=1',
  ]);
  assert.deepEqual(await cookiesSeen({ noCookiesReset: true }), [
    '/see -', '/cookie/set -', '/see/deeper sid=v0', '/see mine=1',
    '/see sid=v0', '/cookie/set sid=v0', '/see/deeper sid=v1', '/see mine=1',
  ]);
  assert.deepEqual(await cookiesSeen({ cookies: false }), [
    '/see -', '/cookie/set -', '/see/deeper -', '/see mine=1',
    '/see -', '/cookie/set -', '/see/deeper -', '/see mine=1',
  ]);
});
