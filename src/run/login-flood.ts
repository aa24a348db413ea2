// The auth-flood drill's fault: many "clients" send bad logins to POST /auth/token from many loopback source
// addresses (127.0.0.2, 127.0.0.3, ...), each in a closed loop that ignores Retry-After, as an attacker would.
// Afterwards the real client logs in with its correct secret, and the outcome is written as samples.

import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { caWithRoots } from '../engine/http-connection.ts';
import { isLoopbackAddress } from '../engine/host-guard.ts';
import { LabError } from '../errors.ts';
import type { SampleRecord } from '../results/format.ts';

/** What the flood needs. */
export interface LoginFloodOptions {
  targetUrl: string;
  /** An https target's CA (PEM), trusted beside Node's roots. */
  tlsCa?: string;
  /** Concurrent flooding clients (each has its own client id and loops on its own). */
  clients: number;
  /** Distinct loopback source addresses the clients spread over. */
  sources: number;
  /** Correct credentials checked after the flood. */
  good: { clientId: string; clientSecret: string };
  signal: AbortSignal;
}

/** The flood's tally: answers by status (`error` for a failed request). */
export type FloodCounts = Record<string, number>;

/** Longest a single flood request may take. */
const REQUEST_TIMEOUT_MS = 5000;
/** At most this many requests per flooding client (bounds the loop besides the signal). */
const MAX_REQUESTS_PER_CLIENT = 100_000;
/** The token route of the target. */
const TOKEN_PATH = '/api/v1/auth/token';

/** POSTs a JSON body; resolves with the status and the Retry-After header ('error' on failure). */
function postJson(url: URL, body: unknown, agent: HttpAgent): Promise<{ status: string; retryAfterS?: number }> {
  const payload = JSON.stringify(body);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: String(res.statusCode), retryAfterS: Number(res.headers['retry-after']) || undefined }));
        res.on('error', () => resolve({ status: 'error' }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 'error' }));
    req.end(payload);
  });
}

/** The loopback source address of client i (127.0.0.2 and up; 127.0.0.1 stays the real client's). */
export function sourceAddress(i: number, sources: number): string {
  return `127.0.0.${2 + (i % Math.max(1, Math.min(sources, 250)))}`;
}

/** A running flood. */
export interface LoginFlood {
  /** Stops the loops and resolves with the tally once every request in flight has ended. */
  stop(): Promise<FloodCounts>;
}

/** Starts the flood; refuses a target that is not on loopback. */
export function startLoginFlood(opts: LoginFloodOptions): LoginFlood {
  const url = new URL(TOKEN_PATH, opts.targetUrl);
  if (!isLoopbackAddress(url.hostname.replace(/^\[|\]$/g, ''))) throw new LabError(`login-flood: the target ${url.hostname} is not a loopback address`);
  const stopped = new AbortController();
  const counts: FloodCounts = {};
  const agents = new Map<string, HttpAgent>();
  const loops = Array.from({ length: opts.clients }, async (_, i) => {
    const localAddress = sourceAddress(i, opts.sources);
    let agent = agents.get(localAddress);
    if (!agent) agents.set(localAddress, (agent = agentFor(url, opts.tlsCa, localAddress)));
    const clientId = `flood-client-${String(i + 1).padStart(4, '0')}`;
    for (let n = 0; n < MAX_REQUESTS_PER_CLIENT && !stopped.signal.aborted && !opts.signal.aborted; n++) {
      const { status } = await postJson(url, { clientId, clientSecret: `wrong-${n}` }, agent);
      counts[status] = (counts[status] ?? 0) + 1;
    }
  });
  return {
    async stop() {
      stopped.abort();
      await Promise.all(loops);
      for (const a of agents.values()) a.destroy();
      return counts;
    },
  };
}

/** Logs in with the correct secret from 127.0.0.1, honouring Retry-After up to 3 tries within 15 s; true on 200. */
export async function correctSecretWorks(targetUrl: string, good: LoginFloodOptions['good'], tlsCa?: string): Promise<boolean> {
  const url = new URL(TOKEN_PATH, targetUrl);
  const agent = agentFor(url, tlsCa);
  const deadline = Date.now() + 15_000;
  try {
    for (let attempt = 0; attempt < 3 && Date.now() < deadline; attempt++) {
      const { status, retryAfterS } = await postJson(url, good, agent);
      if (status === '200') return true;
      const waitMs = Math.min((retryAfterS ?? 1) * 1000, deadline - Date.now());
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    }
    return false;
  } finally {
    agent.destroy();
  }
}

/** A keep-alive agent for the URL's scheme, bound to a source address when given; https trusts `tlsCa` beside Node's roots. */
function agentFor(url: URL, tlsCa?: string, localAddress?: string): HttpAgent {
  const common = { keepAlive: true, ...(localAddress ? { localAddress } : {}) };
  if (url.protocol !== 'https:') return new HttpAgent(common as ConstructorParameters<typeof HttpAgent>[0]);
  return new HttpsAgent({ ...common, ...(tlsCa ? { ca: caWithRoots(tlsCa) } : {}) } as ConstructorParameters<typeof HttpsAgent>[0]);
}

/** The flood's samples: answers by status, the share refused with 429, and whether the correct secret worked. */
export function floodSamples(tMs: number, counts: FloodCounts, goodWorked: boolean): SampleRecord[] {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const out: SampleRecord[] = Object.entries(counts).map(([status, n]) => ({ tMs, source: 'lab', metric: 'login_flood_requests', value: n, labels: { status } }));
  out.push({ tMs, source: 'lab', metric: 'login_flood_refused_ratio', value: total ? (counts['429'] ?? 0) / total : 0, labels: { total: String(total) } });
  out.push({ tMs, source: 'lab', metric: 'login_after_flood_ok', value: goodWorked ? 1 : 0 });
  return out;
}
