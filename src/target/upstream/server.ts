// The upstream simulator: a market-data provider over node:http, with faults switched on and off at run time.

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { NO_FAULTS, applyFaultPatch, quoteFor, type Faults } from './faults.ts';

/** Requests seen on /quotes, by outcome (GET /__control shows them; tests count half-open probes with them). */
export interface RequestCounts {
  total: number;
  ok: number;
  errors: number;
  hung: number;
  refused: number;
  notFound: number;
}

const zeroCounts = (): RequestCounts => ({ total: 0, ok: 0, errors: 0, hung: 0, refused: 0, notFound: 0 });

/** Sends a JSON answer. */
function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads a small request body (at most 64 KiB). */
async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 65536) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
function hasToken(req: IncomingMessage, token: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

/**
 * Why a control POST is refused, or undefined when it may proceed: it needs the control token as a bearer token and a
 * JSON body, so neither another local user nor a web page open on the machine (a text/plain form post) can switch faults.
 */
function controlRefusal(req: IncomingMessage, token: string | undefined): [number, string] | undefined {
  if (!token) return [403, 'fault control is off: start the simulator with UPSTREAM_CONTROL_TOKEN'];
  if (!hasToken(req, token)) return [401, 'the control token is missing or wrong (Authorization: Bearer <token>)'];
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return [415, 'control requests must be application/json'];
  return undefined;
}

/**
 * Creates the simulator (not yet listening). `random` decides which requests fail under errorRate; `controlToken`
 * is the bearer token that control POSTs need (none: control POSTs are refused).
 */
export function createUpstreamServer(random: () => number = Math.random, controlToken?: string): Server {
  let faults: Faults = { ...NO_FAULTS };
  let counts = zeroCounts();
  const hung = new Set<Socket>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    if (url.pathname === '/__control' && req.method === 'GET') return json(res, 200, { faults, requests: counts, openHung: hung.size });
    const refusal = url.pathname.startsWith('/__control') && req.method === 'POST' ? controlRefusal(req, controlToken) : undefined;
    if (refusal) {
      req.resume();
      return json(res, refusal[0], { error: 'control_refused', message: refusal[1] });
    }
    if (url.pathname === '/__control/reset' && req.method === 'POST') {
      faults = { ...NO_FAULTS };
      counts = zeroCounts();
      for (const s of hung) s.destroy();
      hung.clear();
      return json(res, 200, { faults, requests: counts });
    }
    if (url.pathname === '/__control' && req.method === 'POST') {
      try {
        const raw = await readBody(req);
        faults = applyFaultPatch(faults, raw ? JSON.parse(raw) : {});
        if (!faults.hang) {
          for (const s of hung) s.destroy();
          hung.clear();
        }
        return json(res, 200, { faults, requests: counts });
      } catch (err) {
        return json(res, 400, { error: 'bad_request', message: (err as Error).message });
      }
    }
    const match = /^\/quotes\/([A-Za-z.]{1,10})$/.exec(url.pathname);
    if (!match || req.method !== 'GET') return json(res, 404, { error: 'not_found' });
    counts.total++;
    if (faults.outage) {
      counts.refused++;
      req.socket.destroy();
      return;
    }
    if (faults.hang) {
      counts.hung++;
      hung.add(req.socket);
      req.socket.once('close', () => hung.delete(req.socket));
      return;
    }
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (faults.errorRate > 0 && random() < faults.errorRate) {
      counts.errors++;
      return json(res, 500, { error: 'provider_error' });
    }
    const ticker = match[1]!.toUpperCase();
    if (ticker === 'ZZZZ') {
      counts.notFound++;
      return json(res, 404, { error: 'unknown_ticker' });
    }
    counts.ok++;
    return json(res, 200, quoteFor(ticker, Date.now()));
  });
  server.keepAliveTimeout = 30_000;
  server.on('close', () => {
    for (const s of hung) s.destroy();
  });
  return server;
}
