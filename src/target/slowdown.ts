// The testbed knob: slow one route, or every database query, by a factor, so a regression gate can be measured on
// real runs (SLOW_ROUTE, SLOW_DB_FACTOR; see the target's README). Off unless set.

import type { FastifyInstance } from 'fastify';

/**
 * A route to slow: its method and Fastify route template, and either a factor of the server's own time on it
 * (1.3 = 30% slower inside the server) or a fixed delay added to each response (which shifts every percentile the
 * client sees by that much, so a delay of 0.3 x the client's p95 is a 1.3x p95 at the client).
 */
export type SlowRoute = { method: string; url: string } & ({ factor: number } | { addMs: number });

const SLOW_ROUTE_FORM = 'must be "<METHOD> <route template>=<factor>" or "<METHOD> <route template>+<ms>ms", e.g. "GET /api/v1/companies/:ticker=1.3" or "GET /api/v1/companies/:ticker+2.5ms"';

/** Parses SLOW_ROUTE ("GET /api/v1/companies/:ticker=1.3" or "...+2.5ms"); an error message, or the rule. */
export function parseSlowRoute(raw: string): SlowRoute | string {
  const m = /^([A-Z]+)\s+(\/\S*?)(?:=(\d+(?:\.\d+)?)|\+(\d+(?:\.\d+)?)ms)$/.exec(raw.trim());
  if (!m) return SLOW_ROUTE_FORM;
  if (m[4] !== undefined) {
    const addMs = Number(m[4]);
    if (!(addMs > 0 && addMs <= 10_000)) return `the added delay must be more than 0 and at most 10000 ms, got ${m[4]} ms`;
    return { method: m[1], url: m[2], addMs };
  }
  const factor = Number(m[3]);
  if (!(factor >= 1 && factor <= 100)) return `the factor must be from 1 to 100, got ${m[3]}`;
  return { method: m[1], url: m[2], factor };
}

/** How long to hold a response of the slowed route that has taken elapsedMs so far. */
export function slowRouteWaitMs(rule: SlowRoute, elapsedMs: number): number {
  return 'addMs' in rule ? rule.addMs : (rule.factor - 1) * elapsedMs;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs fn and then waits (factor - 1) times as long as it took, so the whole takes factor times as long. */
export async function slowed<T>(factor: number, fn: () => Promise<T>): Promise<T> {
  if (factor <= 1) return fn();
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    await sleep((factor - 1) * (performance.now() - t0));
  }
}

/**
 * Slows the responses of one route: before a response is sent, waits (factor - 1) times the time spent on it so far,
 * or the fixed added delay.
 * The start is taken in onRequest (reply.elapsedTime reads 0 in onSend on this Fastify, which left the knob inert).
 */
export function registerSlowRoute(app: FastifyInstance, rule: SlowRoute): void {
  const startedMs = new WeakMap<object, number>();
  app.addHook('onRequest', async (req) => {
    startedMs.set(req.raw, performance.now());
  });
  app.addHook('onSend', async (req, _reply, payload) => {
    const t0 = startedMs.get(req.raw);
    if (t0 !== undefined && req.method === rule.method && req.routeOptions.url === rule.url) await sleep(slowRouteWaitMs(rule, performance.now() - t0));
    return payload;
  });
}
