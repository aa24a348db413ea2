// Token-bucket arithmetic (pure). The Lua script in limiter.ts does exactly this, atomically, inside Redis.

/** The stored state of one bucket. */
export interface BucketState {
  tokens: number;
  updatedUs: number;
}

/** The outcome of asking a bucket for tokens. */
export interface BucketDecision {
  allowed: boolean;
  state: BucketState;
  /** How long until the request would be allowed (0 when allowed). */
  retryAfterUs: number;
}

/** Refills a bucket for the time elapsed since it was last touched, then takes `cost` tokens if it can. */
export function takeTokens(
  previous: BucketState | undefined,
  nowUs: number,
  capacity: number,
  refillPerS: number,
  cost = 1,
): BucketDecision {
  const start = previous ?? { tokens: capacity, updatedUs: nowUs };
  const elapsedUs = Math.max(0, nowUs - start.updatedUs);
  const tokens = Math.min(capacity, start.tokens + (elapsedUs * refillPerS) / 1e6);
  if (tokens >= cost) {
    return { allowed: true, state: { tokens: tokens - cost, updatedUs: nowUs }, retryAfterUs: 0 };
  }
  const retryAfterUs = Math.ceil(((cost - tokens) * 1e6) / refillPerS);
  return { allowed: false, state: { tokens, updatedUs: nowUs }, retryAfterUs };
}

/** The Retry-After header value in whole seconds (at least 1) for a wait in microseconds. */
export function retryAfterSeconds(retryAfterUs: number): number {
  return Math.max(1, Math.ceil(retryAfterUs / 1e6));
}

/** The most a bucket can allow over a window: its capacity plus what refills during the window. */
export function maxAllowed(capacity: number, refillPerS: number, windowS: number): number {
  return Math.floor(capacity + refillPerS * windowS);
}
