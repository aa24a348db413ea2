// Fault control for a lab owned by another process (`perfgate lab up` in the background): the owner serves
// POST /faults/<name> on 127.0.0.1 behind a bearer token kept in lab.json (0600); labFaults() is the client.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Lab, LabFaults } from './lab.ts';
import type { LabInfo } from './lab-info.ts';
import { LabError } from '../errors.ts';

/** A running control endpoint. */
export interface LabControl {
  url: string;
  token: string;
  close(): Promise<void>;
}

/** Fault names on the wire, mapped to LabFaults methods. */
const ROUTES = {
  'redis-stop': 'redisStop',
  'redis-start': 'redisStart',
  'postgres-restart': 'postgresRestart',
  'kill-worker': 'killWorker',
  upstream: 'upstream',
} as const satisfies Record<string, keyof LabFaults>;

/** Reads a request body (at most 64 KiB) as JSON; {} when empty. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 65_536) throw new LabError('request body too large');
  }
  return body ? (JSON.parse(body) as Record<string, unknown>) : {};
}

/** Writes a JSON answer. */
function answer(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

/** True when the request carries the bearer token (constant-time comparison). */
function authorised(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * Serves the lab's faults on a free 127.0.0.1 port.
 * POST /faults/<name> (bearer token) → lab.faults[name](body) → onChange(lab.info) → {ok, result}.
 */
export async function startLabControl(lab: Lab, onChange: (info: LabInfo) => void = () => undefined): Promise<LabControl> {
  const token = randomBytes(24).toString('base64url');
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((req, res) => {
    void (async () => {
      if (!authorised(req, token)) return answer(res, 401, { error: 'missing or wrong bearer token' });
      const name = /^\/faults\/([a-z-]+)$/.exec(req.url ?? '')?.[1] as keyof typeof ROUTES | undefined;
      if (req.method !== 'POST' || !name || !(name in ROUTES)) {
        return answer(res, 404, { error: `unknown fault; POST /faults/{${Object.keys(ROUTES).join(',')}}` });
      }
      try {
        const body = await readJson(req);
        // One fault at a time: a restart must not race a stop.
        const run = queue.then(() => (ROUTES[name] === 'upstream' ? lab.faults.upstream(body) : lab.faults[ROUTES[name]]()));
        queue = run.catch(() => undefined);
        const result = await run;
        onChange(lab.info);
        answer(res, 200, { ok: true, result: result ?? null });
      } catch (err) {
        answer(res, 500, { ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Calls one fault on a lab's control endpoint and returns its result. */
async function callFault(info: LabInfo, name: keyof typeof ROUTES, body: Record<string, unknown> = {}): Promise<unknown> {
  if (!info.controlUrl || !info.controlToken) throw new LabError('this lab has no control endpoint (started without the CLI?)');
  const res = await fetch(`${info.controlUrl}/faults/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${info.controlToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const json = (await res.json()) as { ok?: boolean; result?: unknown; error?: string };
  if (!res.ok || !json.ok) throw new LabError(`lab fault ${name} failed: ${json.error ?? res.status}`);
  return json.result;
}

/** LabFaults for a lab owned by another process, through its control endpoint (from readLabInfo()). */
export function labFaults(info: LabInfo): LabFaults {
  return {
    redisStop: async () => void (await callFault(info, 'redis-stop')),
    redisStart: async () => void (await callFault(info, 'redis-start')),
    postgresRestart: async () => void (await callFault(info, 'postgres-restart')),
    upstream: (control) => callFault(info, 'upstream', control),
    killWorker: async () => Number(await callFault(info, 'kill-worker')),
  };
}
