// Real HTTP test servers on 127.0.0.1, port 0: plain JSON, a stall server, slow, reset, refused.
// Each records the arrival time of every request, so tests can check pacing and counts.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { performance } from 'node:perf_hooks';

/** A running test server. */
export interface TestServer {
  url: string;
  port: number;
  /** performance.timeOrigin + performance.now() at each request's arrival (epoch ms). */
  arrivals: number[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

async function listen(server: Server | ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function httpServer(handler: Handler): Promise<TestServer> {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    arrivals.push(epochNow());
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString()));
  });
  server.keepAliveTimeout = 60_000;
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    arrivals,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The plain server: `/` small JSON; `/token` a JSON token; `/echo` echoes method, url, headers and body;
 * `/status/<code>` answers that status; `/redirect/<code>?to=<url>` redirects; `/slow/<ms>` answers after a delay;
 * `/chunked` a chunked body.
 */
export function startJsonServer(): Promise<TestServer> {
  return httpServer((req, res, body) => {
    const url = req.url ?? '/';
    if (url === '/token') return json(res, 200, { access_token: 'tok-123', nested: { id: 7 } });
    if (url.startsWith('/echo')) return json(res, 200, { method: req.method, url, headers: req.headers, body });
    const status = /^\/status\/(\d{3})/.exec(url);
    if (status) return json(res, Number(status[1]), { status: Number(status[1]) });
    const redirect = /^\/redirect\/(\d{3})\?to=(.*)$/.exec(url);
    if (redirect) {
      res.writeHead(Number(redirect[1]), { location: decodeURIComponent(redirect[2]!), 'content-length': 0 });
      return res.end();
    }
    const slow = /^\/slow\/(\d+)/.exec(url);
    if (slow) {
      setTimeout(() => json(res, 200, { slept: Number(slow[1]) }), Number(slow[1]));
      return;
    }
    if (url === '/chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"part":');
      res.end('1}');
      return;
    }
    json(res, 200, { ok: true });
  });
}

/**
 * The stall server: answers at once, except that it freezes for `stallMs` every `periodMs` (from its start):
 * a request that arrives during a freeze is answered when the freeze ends. `serviceMs` adds a fixed delay.
 */
export function startStallServer(opts: { periodMs?: number; stallMs?: number; serviceMs?: number } = {}): Promise<TestServer & { startedAt: number }> {
  const periodMs = opts.periodMs ?? 5000;
  const stallMs = opts.stallMs ?? 1000;
  const serviceMs = opts.serviceMs ?? 0;
  const startedAt = epochNow();
  return httpServer((_req, res) => {
    const t = epochNow() - startedAt;
    const inPeriod = t % periodMs;
    // The freeze is the last stallMs of each period.
    const waitMs = inPeriod >= periodMs - stallMs ? periodMs - inPeriod : 0;
    const reply = () => json(res, 200, { ok: true });
    if (waitMs + serviceMs > 0) setTimeout(reply, waitMs + serviceMs);
    else reply();
  }).then((s) => ({ ...s, startedAt }));
}

/** A server that accepts connections and resets each one as soon as a request arrives. */
export async function startResetServer(): Promise<TestServer> {
  const arrivals: number[] = [];
  const server = createNetServer((socket) => {
    socket.on('data', () => {
      arrivals.push(epochNow());
      socket.resetAndDestroy();
    });
    socket.on('error', () => {});
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, arrivals, close: () => new Promise((r) => server.close(() => r())) };
}

/** A server that accepts connections and never answers (for timeouts). */
export async function startSilentServer(): Promise<TestServer> {
  const arrivals: number[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => arrivals.push(epochNow()));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    arrivals,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A loopback URL on which nothing listens (connections are refused). */
export async function refusedUrl(): Promise<string> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/**
 * A server that answers the first request on each connection (keep-alive) and closes the connection without a
 * word when a second request arrives on it: the race of a keep-alive socket the server has just dropped.
 */
export async function startOneShotServer(): Promise<TestServer> {
  const arrivals: number[] = [];
  const server = createNetServer((socket) => {
    let served = 0;
    socket.on('data', () => {
      arrivals.push(epochNow());
      if (served++ === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      else socket.destroy();
    });
    socket.on('error', () => {});
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, arrivals, close: () => new Promise((r) => server.close(() => r())) };
}
