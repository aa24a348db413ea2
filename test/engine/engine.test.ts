import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { selfSignedCert } from '../support/tls-cert.ts';
import type { AddressInfo } from 'node:net';
import { Engine } from '../../src/engine/engine.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import { ConfigError } from '../../src/errors.ts';
import { compilePlan } from '../../src/engine/plan.ts';
import { guardTarget } from '../../src/engine/host-guard.ts';
import { decodeHistogram } from '../../src/metrics/histogram.ts';
import type { IntervalRecord, RequestIntervalRecord, TickIntervalRecord } from '../../src/results/format.ts';
import type { ScenarioDefinition } from '../../src/scenario/types.ts';
import { refusedUrl, startJsonServer, startOneShotServer, startResetServer, startSilentServer, type TestServer } from '../support/servers.ts';

let json: TestServer;
before(async () => {
  json = await startJsonServer();
});
after(async () => {
  await json.close();
});

async function runEngine(def: ScenarioDefinition, globals = {}): Promise<{ reqs: RequestIntervalRecord[]; ticks: TickIntervalRecord[] }> {
  const target = await guardTarget(def.target.baseUrl);
  const plan = compilePlan(def, target);
  const records: IntervalRecord[] = [];
  const engine = new Engine({
    def, plan, target, globals,
    t0EpochMs: performance.timeOrigin + performance.now(),
    onRecords: (rs) => records.push(...rs),
  });
  await engine.run();
  return {
    reqs: records.filter((r): r is RequestIntervalRecord => r.type === 'req'),
    ticks: records.filter((r): r is TickIntervalRecord => r.type === 'tick'),
  };
}

function sum<T>(xs: T[], f: (x: T) => number): number {
  return xs.reduce((a, x) => a + f(x), 0);
}

function scenario(baseUrl: string, load: ScenarioDefinition['load'], steps: ScenarioDefinition['journeys'][number]['steps']): ScenarioDefinition {
  return { name: 't', target: { baseUrl }, load, journeys: [{ name: 'j', steps }] };
}

test('constant-vus keeps its VUs busy and every request lands in the interval records', async () => {
  const { reqs, ticks } = await runEngine(scenario(json.url, { executor: 'constant-vus', vus: 5, duration: '1500ms' }, [{ name: 'root', path: '/' }]));
  const count = sum(reqs, (r) => r.count);
  assert.ok(count > 50, `only ${count} requests`);
  assert.equal(sum(reqs, (r) => r.failed), 0);
  assert.equal(sum(reqs, (r) => r.statuses['200'] ?? 0), count);
  assert.equal(sum(ticks, (t) => t.iterations), count);
  assert.equal(ticks[0]!.vusMax, 5);
  assert.equal(decodeHistogram(reqs[0]!.okHist).totalCount, reqs[0]!.count);
});

test('ramping-vus adds and retires VUs along its stages', async () => {
  const { ticks } = await runEngine(
    scenario(json.url, { executor: 'ramping-vus', startVUs: 0, gracefulRampDown: '1s', stages: [
      { duration: '2s', target: 8, name: 'ramp-up' }, { duration: '1s', target: 8, name: 'steady' }, { duration: '1s', target: 0, name: 'ramp-down' },
    ] }, [{ name: 'root', path: '/', think: '50ms' }]),
  );
  const byT = new Map(ticks.map((t) => [t.tMs, t]));
  assert.ok(byT.get(0)!.vusMax <= 4, `first second ${byT.get(0)!.vusMax}`);
  assert.ok(byT.get(1000)!.vusMax >= 5 && byT.get(1000)!.vusMax <= 8, `second 2: ${byT.get(1000)!.vusMax}`);
  assert.equal(byT.get(2000)!.vusMax, 8);
  assert.equal(byT.get(2000)!.phase, 'steady');
  assert.ok(byT.get(3000)!.vus <= 1, `at the end ${byT.get(3000)!.vus}`);
});

test('constant-arrival-rate starts iterations on schedule', async () => {
  const { reqs, ticks } = await runEngine(
    scenario(json.url, { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '2s', preAllocatedVUs: 5, maxVUs: 20 }, [{ name: 'root', path: '/' }]),
  );
  const count = sum(reqs, (r) => r.count);
  const dropped = sum(ticks, (t) => t.droppedIterations);
  assert.equal(count + dropped, 200, 'exactly the scheduled iterations, started or dropped');
  assert.ok(dropped <= 20, `${dropped} dropped`);
  assert.equal(ticks[0]!.targetRatePerS, 100);
});

test('an open model with too few VUs counts dropped iterations', async () => {
  const { reqs, ticks } = await runEngine(
    scenario(json.url, { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '1s', preAllocatedVUs: 2, maxVUs: 4, gracefulStop: '2s' }, [{ name: 'slow', path: '/slow/400' }]),
  );
  const started = sum(reqs, (r) => r.count);
  const dropped = sum(ticks, (t) => t.droppedIterations);
  assert.equal(started + dropped, 40);
  assert.ok(dropped >= 25, `dropped ${dropped}`);
});

test('captures feed later steps, checks are counted, and setup globals are readable', async () => {
  const { reqs } = await runEngine(
    scenario(json.url, { executor: 'constant-vus', vus: 1, duration: '300ms' }, [
      { name: 'token', method: 'POST', path: '/token', capture: { token: '$.access_token', id: '$.nested.id' } },
      { name: 'echo', path: '/echo/{{id}}', headers: { authorization: 'Bearer {{token}}', 'x-setup': '{{fromSetup}}' },
        check: { status: 200, bodyIncludes: 'Bearer tok-123' } },
      { name: 'post', method: 'POST', path: '/echo', body: { id: '{{id}}', who: '{{fromSetup}}' }, check: { bodyIncludes: '\\"id\\":7' } },
    ]),
    { fromSetup: 'setup-value' },
  );
  const echo = reqs.filter((r) => r.name === 'echo');
  assert.ok(sum(echo, (r) => r.count) > 0, 'echo ran');
  assert.equal(sum(echo, (r) => r.checksFailed), 0);
  assert.equal(sum(echo, (r) => r.checksPassed), 2 * sum(echo, (r) => r.count));
  const post = reqs.filter((r) => r.name === 'post');
  assert.equal(sum(post, (r) => r.checksFailed), 0, 'a JSON body keeps the captured number as a number');
  assert.ok(sum(post, (r) => r.checksPassed) > 0, 'post checks passed');
});

test('timeouts are failed requests recorded at their full timeout', async () => {
  const silent = await startSilentServer();
  try {
    const { reqs } = await runEngine(scenario(silent.url, { executor: 'constant-vus', vus: 2, duration: '700ms', gracefulStop: '2s' }, [{ name: 'hang', path: '/', timeout: '300ms' }]));
    const count = sum(reqs, (r) => r.count);
    assert.ok(count >= 4, `${count} requests`);
    assert.equal(sum(reqs, (r) => r.failed), count);
    assert.equal(sum(reqs, (r) => r.errors.timeout ?? 0), count);
    for (const r of reqs) {
      const h = decodeHistogram(r.failHist);
      assert.ok(h.minNonZeroValue >= 299_000 && h.maxValue <= 340_000, `timeouts recorded at ${h.minNonZeroValue}..${h.maxValue} us`);
    }
    assert.ok(silent.arrivals.length >= count - 2, 'each timed-out request reached the server');
  } finally {
    await silent.close();
  }
});

test('refused and reset connections and error statuses are failures of their class', async () => {
  const reset = await startResetServer();
  try {
    const table: Array<{ url: string; path: string; cls: string }> = [
      { url: await refusedUrl(), path: '/', cls: 'econnrefused' },
      { url: reset.url, path: '/', cls: 'econnreset' },
      { url: json.url, path: '/status/503', cls: 'http_5xx' },
      { url: json.url, path: '/status/404', cls: 'http_4xx' },
      { url: json.url, path: '/status/429', cls: 'rate_limited' },
    ];
    for (const c of table) {
      const { reqs } = await runEngine(scenario(c.url, { executor: 'constant-vus', vus: 1, duration: '200ms' }, [{ name: 'x', path: c.path, think: '20ms' }]));
      const count = sum(reqs, (r) => r.count);
      assert.ok(count >= 2, `${c.cls}: ${count} requests`);
      assert.equal(sum(reqs, (r) => r.failed), count, c.cls);
      assert.equal(sum(reqs, (r) => (r.errors as Record<string, number>)[c.cls] ?? 0), count, c.cls);
      assert.equal(sum(reqs, (r) => decodeHistogram(r.failHist).totalCount), count, `${c.cls}: every failure is in the latency histogram`);
    }
  } finally {
    await reset.close();
  }
});

test('a step expecting a 404 counts it as a success', async () => {
  const { reqs } = await runEngine(scenario(json.url, { executor: 'constant-vus', vus: 1, duration: '200ms' }, [{ name: 'x', path: '/status/404', expect: [404], think: '20ms' }]));
  assert.ok(sum(reqs, (r) => r.count) > 0, 'requests ran');
  assert.equal(sum(reqs, (r) => r.failed), 0);
});

test('a keep-alive socket dropped by the server is retried once for GET, but a POST is not resent', async () => {
  const server = await startOneShotServer();
  try {
    const get = await runEngine(scenario(server.url, { executor: 'constant-vus', vus: 1, duration: '300ms' }, [{ name: 'get', path: '/', think: '20ms' }]));
    const getCount = sum(get.reqs, (r) => r.count);
    assert.ok(getCount >= 3, `${getCount} GETs`);
    assert.equal(sum(get.reqs, (r) => r.failed), 0, 'every GET succeeded on a fresh connection');
    const post = await runEngine(scenario(server.url, { executor: 'constant-vus', vus: 1, duration: '300ms' }, [{ name: 'post', method: 'POST', path: '/', body: { a: 1 }, think: '20ms' }]));
    const failed = sum(post.reqs, (r) => r.errors.econnreset ?? 0);
    assert.ok(failed >= 1, 'a POST on the dropped socket fails as econnreset');
    assert.equal(failed + sum(post.reqs, (r) => r.count - r.failed), sum(post.reqs, (r) => r.count));
  } finally {
    await server.close();
  }
});

test('prepare opens the starting VUs\' connections before the load, and the load then reuses them', async () => {
  let connections = 0;
  let requests = 0;
  const server = createHttpServer((_req, res) => {
    requests++;
    res.end('{}');
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const [load, expected] of [
      [{ executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 4, maxVUs: 4 }, 4],
      [{ executor: 'constant-vus', vus: 3, duration: '500ms' }, 3],
    ] as const) {
      connections = 0;
      requests = 0;
      const def = scenario(url, load, [{ name: 'root', path: '/' }]);
      const target = await guardTarget(url);
      const engine = new Engine({ def, plan: compilePlan(def, target), target, globals: {}, t0EpochMs: performance.timeOrigin + performance.now(), onRecords: () => {} });
      await engine.prepare();
      for (let i = 0; i < 100 && connections < expected; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(connections, expected, `${load.executor}: connections open before the load`);
      assert.equal(requests, 0, `${load.executor}: no request before the load`);
      await engine.run();
      assert.ok(requests >= expected, `${load.executor}: ${requests} requests`);
      assert.equal(connections, expected, `${load.executor}: the load opened no further connection`);
    }
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('redirects are followed as one request per step: methods per status, credentials kept within the origin only', async () => {
  const to = (status: number, location: string) => `/redirect/${status}?to=${encodeURIComponent(location)}`;
  const run = async (step: ScenarioDefinition['journeys'][number]['steps'][number], over: Partial<ScenarioDefinition> = {}) => {
    const before = json.arrivals.length;
    const { reqs, ticks } = await runEngine({ ...scenario(json.url, { executor: 'constant-vus', vus: 1, duration: '300ms' }, [{ ...step, think: '100ms' }]), ...over });
    const r = reqs.find((x) => x.name === step.name)!;
    return { r, iterations: sum(ticks, (t) => t.iterations), arrivals: json.arrivals.length - before };
  };
  const auth = { authorization: 'Bearer secret' };

  const chain = await run({ name: 'chain', path: to(302, to(303, '/echo?z=1')), headers: auth, check: { jsonPath: '$.headers.authorization', bodyIncludes: '"url":"/echo?z=1"' } });
  assert.ok(chain.r.count >= 1);
  assert.deepEqual(chain.r.statuses, { '200': chain.r.count }, 'the final status is recorded');
  assert.equal(chain.r.checksFailed, 0, 'the final body is checked, and the token stayed within the origin');
  assert.equal(chain.arrivals, 3 * chain.r.count, 'three requests per step');

  const post = await run({ name: 'post307', method: 'POST', path: to(307, '/echo'), body: { a: 1 }, check: { bodyIncludes: '"method":"POST","url":"/echo"' } });
  assert.equal(post.r.checksFailed, 0, '307 resends the POST');
  assert.ok(post.r.bytesOut > 2 * post.r.count * 100, 'the bytes of every hop are counted');
  const post303 = await run({ name: 'post303', method: 'POST', path: to(303, '/echo'), body: { a: 1 }, check: { bodyIncludes: '"method":"GET","url":"/echo"' } });
  assert.equal(post303.r.checksFailed, 0, '303 turns the POST into a GET');

  const loop = await run({ name: 'loop', path: to(302, to(302, to(302, '/echo'))) }, { maxRedirects: 1 });
  assert.deepEqual(loop.r.statuses, { '302': loop.r.count }, 'past maxRedirects the 3xx is the response');
  assert.equal(loop.arrivals, 2 * loop.r.count);
  const none = await run({ name: 'none', path: to(302, '/echo'), redirects: 0 });
  assert.deepEqual(none.r.statuses, { '302': none.r.count }, 'a step can turn redirects off');

  const port = new URL(json.url).port;
  const other = await run({ name: 'other-origin', path: to(302, `http://localhost:${port}/echo`), headers: auth, check: { jsonPath: '$.headers.authorization' } });
  assert.deepEqual(other.r.statuses, { '200': other.r.count }, 'a loopback origin is followed');
  assert.equal(other.r.checksFailed, other.r.count, 'the token is not sent to another origin');

  const refused = await run({ name: 'refused', path: to(302, 'http://10.255.255.1/x') });
  assert.deepEqual(refused.r.errors, { host_not_allowed: refused.r.count }, 'a redirect off loopback is refused by the host guard');
  assert.equal(refused.r.failed, refused.r.count);
  const ftp = await run({ name: 'ftp', path: to(301, `ftp://127.0.0.1:${port}/`) });
  assert.deepEqual(ftp.r.errors, { protocol: ftp.r.count }, 'a location that is not http(s) fails as protocol');
});

test('https targets: keep-alive over TLS, certificates verified unless insecureSkipTLSVerify, and redirects into https', async () => {
  let connections = 0;
  const server = createHttpsServer(selfSignedCert(), (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ secure: true, url: req.url, host: req.headers.host }));
  });
  server.keepAliveTimeout = 60_000;
  server.on('secureConnection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const load = { executor: 'constant-vus', vus: 2, duration: '400ms' } as const;
    const step = { name: 'tls', path: '/x', think: '20ms', check: { bodyIncludes: `"host":"localhost:${port}"` } };
    const ok = await runEngine({ ...scenario(`https://localhost:${port}`, load, [step]), insecureSkipTLSVerify: true });
    const okCount = sum(ok.reqs, (r) => r.count);
    assert.ok(okCount >= 4, `${okCount} requests`);
    assert.equal(sum(ok.reqs, (r) => r.statuses['200'] ?? 0), okCount);
    assert.equal(sum(ok.reqs, (r) => r.checksFailed), 0, 'the Host header names the URL host');
    assert.equal(connections, 2, 'one TLS connection per VU, kept alive');

    const refused = await runEngine(scenario(`https://localhost:${port}`, load, [step]));
    const n = sum(refused.reqs, (r) => r.count);
    assert.ok(n >= 1);
    assert.deepEqual(refused.reqs.reduce((a, r) => ({ ...a, ...r.errors }), {}), { tls: n }, 'a self-signed certificate fails as tls by default');

    const viaRedirect = await runEngine({
      ...scenario(json.url, load, [{ name: 'to-https', path: `/redirect/301?to=${encodeURIComponent(`https://127.0.0.1:${port}/y`)}`, think: '20ms', check: { bodyIncludes: '"secure":true,"url":"/y"' } }]),
      insecureSkipTLSVerify: true,
    });
    const r = viaRedirect.reqs.find((x) => x.name === 'to-https')!;
    assert.deepEqual(r.statuses, { '200': r.count });
    assert.equal(r.checksFailed, 0, 'an https location is followed');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('a redirect to another origin carries none of the headers the scenario set, except those the step names', async () => {
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  const other = createHttpServer((req, res) => {
    seen.push(req.headers);
    res.end('{}');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  const otherPort = (other.address() as AddressInfo).port;
  try {
    const headers = { authorization: 'Bearer secret', 'X-Api-Key': 'key-1', 'x-trace': 'trace-1', cookie: 's=1' };
    const path = `/redirect/307?to=${encodeURIComponent(`http://localhost:${otherPort}/landing`)}`;
    for (const c of [
      { redirectHeaders: undefined, want: [] as string[] },
      { redirectHeaders: ['X-Trace'], want: ['x-trace'] },
    ]) {
      seen.length = 0;
      const { reqs } = await runEngine(scenario(json.url, { executor: 'constant-vus', vus: 1, duration: '200ms' }, [
        { name: 'hop', method: 'POST', path, headers, body: { a: 1 }, think: '50ms', ...(c.redirectHeaders ? { redirectHeaders: c.redirectHeaders } : {}) },
      ]));
      const r = reqs.find((x) => x.name === 'hop')!;
      assert.deepEqual(r.statuses, { '200': r.count }, 'the other origin answered');
      assert.ok(seen.length >= 1);
      for (const h of seen) {
        const scenarioHeaders = Object.keys(h).filter((k) => ['authorization', 'x-api-key', 'x-trace', 'cookie'].includes(k));
        assert.deepEqual(scenarioHeaders, c.want, `redirectHeaders ${JSON.stringify(c.redirectHeaders)}: ${JSON.stringify(h)}`);
        assert.equal(h['content-type'], 'application/json', 'the resent body keeps its type');
      }
    }
  } finally {
    other.closeAllConnections();
    await new Promise((r) => other.close(r));
  }
});

test('a failed check fails its request as check_failed only when the check says fail: true', async () => {
  const table: Array<{ name: string; path: string; check: NonNullable<Extract<ScenarioDefinition['journeys'][number]['steps'][number], { path: string }>['check']>; failed: boolean; cls?: string }> = [
    { name: 'counted', path: '/', check: { bodyIncludes: 'absent' }, failed: false },
    { name: 'failing', path: '/', check: { bodyIncludes: 'absent', fail: true }, failed: true, cls: 'check_failed' },
    { name: 'passing', path: '/', check: { status: 200, fail: true }, failed: false },
    { name: 'status-first', path: '/status/503', check: { status: 200, fail: true }, failed: true, cls: 'http_5xx' },
  ];
  for (const c of table) {
    const { reqs } = await runEngine(scenario(json.url, { executor: 'constant-vus', vus: 1, duration: '200ms' }, [{ name: c.name, path: c.path, check: c.check, think: '20ms' }]));
    const count = sum(reqs, (r) => r.count);
    assert.ok(count >= 2, `${c.name}: ${count} requests`);
    assert.equal(sum(reqs, (r) => r.failed), c.failed ? count : 0, c.name);
    assert.deepEqual(reqs.reduce((a, r) => ({ ...a, ...r.errors }), {}), c.cls ? { [c.cls]: count } : {}, c.name);
    assert.equal(sum(reqs, (r) => decodeHistogram(c.failed ? r.failHist : r.okHist).totalCount), count, `${c.name}: latency in the matching histogram`);
    const checksFailed = sum(reqs, (r) => r.checksFailed);
    assert.equal(checksFailed, c.name === 'passing' ? 0 : count, `${c.name}: the check is counted either way`);
  }
});

test('check.fail is a boolean in the scenario schema', () => {
  const def = (fail: unknown) => ({ ...scenario(json.url, { executor: 'constant-vus', vus: 1, duration: '1s' }, [{ name: 's', path: '/', check: { status: 200, fail } as never }]) });
  assert.equal((validateScenario(def(true)).journeys[0]!.steps[0] as { check?: { fail?: boolean } }).check?.fail, true);
  assert.throws(() => validateScenario(def('yes')), (err: unknown) => err instanceof ConfigError && err.issues.some((i) => i.path === 'journeys[0].steps[0].check.fail'));
});
