// The database fault proxy against a real TCP echo server on loopback.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { chunkDelayMs, startFaultProxy, type FaultProxy } from '../../src/lab/fault-proxy.ts';
import { waitUntil } from '../support/wait.ts';

let echo: Server;
let proxy: FaultProxy;
const echoSockets = new Set<Socket>();
before(async () => {
  echo = createServer((s) => {
    echoSockets.add(s);
    s.on('close', () => echoSockets.delete(s));
    s.on('error', () => undefined); // reset_peer resets this side too
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  proxy = await startFaultProxy({ upstreamPort: (echo.address() as { port: number }).port });
});
after(async () => {
  await proxy.close();
  for (const s of echoSockets) s.destroy(); // a server's close waits for its connections to end
  await new Promise<void>((r) => echo.close(() => r()));
});

/** A client through the proxy; roundTrip resolves with the echo and the ms it took. */
async function client(): Promise<{ socket: Socket; roundTrip(text: string): Promise<{ text: string; ms: number }>; closed: Promise<string> }> {
  const socket = connect({ host: '127.0.0.1', port: proxy.port });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const closed = new Promise<string>((r) => {
    socket.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error'));
    socket.once('close', () => r('close'));
  });
  return {
    socket,
    closed,
    roundTrip: (text) =>
      new Promise((resolve) => {
        const t0 = Date.now();
        socket.once('data', (d) => resolve({ text: d.toString(), ms: Date.now() - t0 }));
        socket.write(text);
      }),
  };
}

test('chunk delays: latency with jitter, bandwidth by size, nothing otherwise', () => {
  assert.equal(chunkDelayMs({ kind: 'latency', latencyMs: 200, jitterMs: 20 }, 10, () => 1), 220);
  assert.equal(chunkDelayMs({ kind: 'latency', latencyMs: 200, jitterMs: 20 }, 10, () => 0), 180);
  assert.equal(chunkDelayMs({ kind: 'bandwidth', bytesPerS: 1000 }, 500), 500);
  assert.equal(chunkDelayMs(null, 500), 0);
});

test('without a fault the bytes pass; with latency each round trip takes that much longer', async () => {
  const c = await client();
  assert.equal((await c.roundTrip('a')).text, 'a');
  proxy.set({ kind: 'latency', latencyMs: 150 });
  const slow = await c.roundTrip('b');
  proxy.set(null);
  assert.equal(slow.text, 'b');
  assert.ok(slow.ms >= 140, `${slow.ms} ms`);
  c.socket.destroy();
});

test('a black hole lets nothing through, and its end closes the connections it held', async () => {
  const c = await client();
  proxy.set({ kind: 'timeout' });
  let answered = false;
  c.socket.once('data', () => (answered = true));
  const before = proxy.droppedBytes();
  c.socket.write('lost');
  await waitUntil('the black hole swallowing the bytes', () => proxy.droppedBytes() >= before + 4, { timeoutMs: 2_000 });
  assert.equal(answered, false);
  proxy.set(null);
  assert.equal(await c.closed, 'close');
  const fresh = await client();
  assert.equal((await fresh.roundTrip('back')).text, 'back');
  fresh.socket.destroy();
});

test('reset_peer resets every open connection', async () => {
  // A proxy of its own, so the reset meets only this test's connection (resetting the earlier tests' idle ones left
  // the process spinning at exit).
  const shared = proxy;
  proxy = await startFaultProxy({ upstreamPort: (echo.address() as { port: number }).port });
  try {
    const c = await client();
    await waitUntil('the proxied connection', () => proxy.connections() >= 1, { timeoutMs: 2_000 });
    assert.equal(proxy.resetPeers(), 1);
    assert.equal(await c.closed, 'ECONNRESET');
  } finally {
    await proxy.close();
    proxy = shared;
  }
});
