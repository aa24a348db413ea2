// The testbed knob: slow one route, or every database query, by a factor, so a regression gate can be measured on
// real runs (SLOW_ROUTE, SLOW_DB_FACTOR; see the target's README). Off unless set.

import type { FastifyInstance } from 'fastify';

/** A route to slow: its method and Fastify route template, and the factor (1.3 = 30% slower). */
export interface SlowRoute {
  method: string;
  url: string;
  factor: number;
}

/** Parses SLOW_ROUTE ("GET /api/v1/companies/:ticker=1.3"); an error message, or the rule. */
export function parseSlowRoute(raw: string): SlowRoute | string {
  const m = /^([A-Z]+)\s+(\/\S*)=(\d+(?:\.\d+)?)$/.exec(raw.trim());
  if (!m) return 'must be "<METHOD> <route template>=<factor>", e.g. "GET /api/v1/companies/:ticker=1.3"';
  const factor = Number(m[3]);
  if (!(factor >= 1 && factor <= 100)) return `the factor must be from 1 to 100, got ${m[3]}`;
  return { method: m[1], url: m[2], factor };
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
 * Slows the responses of one route: before a response is sent, waits (factor - 1) times the time spent on it so far.
 * The start is taken in onRequest (reply.elapsedTime reads 0 in onSend on this Fastify, which left the knob inert).
 */
export function registerSlowRoute(app: FastifyInstance, rule: SlowRoute): void {
  const startedMs = new WeakMap<object, number>();
  app.addHook('onRequest', async (req) => {
    startedMs.set(req.raw, performance.now());
  });
  app.addHook('onSend', async (req, _reply, payload) => {
    const t0 = startedMs.get(req.raw);
    if (t0 !== undefined && req.method === rule.method && req.routeOptions.url === rule.url) await sleep((rule.factor - 1) * (performance.now() - t0));
    return payload;
  });
}
