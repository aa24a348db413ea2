// The upstream simulator's fault state and its validation (pure).

/** Faults injected into the simulated market-data provider. */
export interface Faults {
  /** Added delay before each answer. */
  latencyMs: number;
  /** Share of requests answered 500, from 0 to 1. */
  errorRate: number;
  /** Accept requests and never answer. */
  hang: boolean;
  /** Close each connection at once, without answering. */
  outage: boolean;
}

/** No faults. */
export const NO_FAULTS: Faults = { latencyMs: 0, errorRate: 0, hang: false, outage: false };

/** Validates a POST /__control body and merges it into the current faults; throws naming the field (pure). */
export function applyFaultPatch(current: Faults, body: unknown): Faults {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('body must be a JSON object');
  const patch = body as Record<string, unknown>;
  const next = { ...current };
  const problems: string[] = [];
  for (const key of Object.keys(patch)) {
    const v = patch[key];
    switch (key) {
      case 'latencyMs':
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 600_000) problems.push('latencyMs must be a number from 0 to 600000');
        else next.latencyMs = v;
        break;
      case 'errorRate':
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) problems.push('errorRate must be a number from 0 to 1');
        else next.errorRate = v;
        break;
      case 'hang':
      case 'outage':
        if (typeof v !== 'boolean') problems.push(`${key} must be true or false`);
        else next[key] = v;
        break;
      default:
        problems.push(`${key} is not a known fault (latencyMs, errorRate, hang, outage)`);
    }
  }
  if (problems.length) throw new Error(problems.join('; '));
  return next;
}

/** A deterministic quote for a ticker at a moment (pure): the price drifts slowly around a per-ticker base. */
export function quoteFor(ticker: string, nowMs: number): { ticker: string; price: number; change: number; volume: number; asOf: string } {
  let h = 2166136261;
  for (let i = 0; i < ticker.length; i++) h = Math.imul(h ^ ticker.charCodeAt(i), 16777619) >>> 0;
  const base = 10 + (h % 49000) / 100;
  const wave = Math.sin(nowMs / 60_000 + (h % 628) / 100);
  const price = Math.round(base * (1 + wave * 0.02) * 100) / 100;
  return {
    ticker,
    price,
    change: Math.round(base * wave * 0.02 * 100) / 100,
    volume: 1000 + (h % 1_000_000),
    asOf: new Date(nowMs).toISOString(),
  };
}
