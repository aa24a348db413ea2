import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createUpstreamServer } from '../../src/target/upstream/server.ts';

const TOKEN = 'lab-control-token-0123456789';
let server: Server;
let open: Server;
let base: string;
let openBase: string;

const listen = (s: Server) => new Promise<string>((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
before(async () => {
  server = createUpstreamServer(Math.random, TOKEN);
  open = createUpstreamServer(Math.random);
  base = await listen(server);
  openBase = await listen(open);
});
after(async () => {
  for (const s of [server, open]) await new Promise((r) => s.close(r));
});

async function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; outage: boolean }> {
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
  await res.text();
  const state = (await (await fetch(`${url.replace(/\/reset$/, '')}`, { signal: AbortSignal.timeout(5000) })).json()) as { faults: { outage: boolean } };
  return { status: res.status, outage: state.faults.outage };
}

test('fault control refuses a POST without the token, a text/plain form from a foreign page, and any POST when no token is set', async () => {
  const outage = JSON.stringify({ outage: true });
  const cases: Array<[string, string, Record<string, string>, number]> = [
    ['no token', base, { 'content-type': 'application/json' }, 401],
    ['a wrong token', base, { 'content-type': 'application/json', authorization: 'Bearer nope' }, 401],
    ['text/plain with a foreign Origin', base, { 'content-type': 'text/plain', origin: 'http://evil.example' }, 401],
    ['text/plain even with the token', base, { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` }, 415],
    ['a simulator started without a token', openBase, { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, 403],
  ];
  for (const [name, url, headers, status] of cases) {
    const r = await post(`${url}/__control`, headers, outage);
    assert.deepEqual(r, { status, outage: false }, name);
  }
  const reset = await fetch(`${base}/__control/reset`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '' });
  assert.equal(reset.status, 401, 'reset needs the token too');
});

test('with the token and application/json, fault control works', async () => {
  const headers = { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${TOKEN}` };
  assert.deepEqual(await post(`${base}/__control`, headers, JSON.stringify({ outage: true })), { status: 200, outage: true });
  assert.deepEqual(await post(`${base}/__control/reset`, headers, '{}'), { status: 200, outage: false });
});
