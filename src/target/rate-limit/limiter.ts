// Per-client rate limiting: one atomic Lua token bucket per token subject in Redis, with a fail policy for outages.

import type { Redis } from 'ioredis';
import type { RateLimitFailPolicy } from '../config.ts';
import type { Tier } from '../auth/clients.ts';
import { withDeadline } from '../cache/deadline.ts';

// Mirrors takeTokens() in bucket.ts. Redis's own clock (TIME) is the time source, so every worker agrees.
// Returns {allowed (0|1), tokens left (string, floats would be truncated), retry-after in microseconds}.
const TOKEN_BUCKET_LUA = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
local elapsed = now - ts
if elapsed < 0 then elapsed = 0 end
tokens = math.min(capacity, tokens + elapsed * rate / 1000000)
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) * 1000000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return {allowed, tostring(tokens), retry}
`;

/** What the limiter decided for one request. */
export interface LimitDecision {
  allowed: boolean;
  retryAfterUs: number;
  /** True when Redis could not answer and the fail policy decided. */
  degraded: boolean;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    takeTokens(key: string, capacity: number, refillPerS: number, cost: number): Promise<[number, string, number]>;
  }
}

/** A token-bucket limiter over Redis. */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly failPolicy: RateLimitFailPolicy,
    private readonly onRedisError: (err: unknown) => void,
    private readonly deadlineMs: number,
  ) {
    redis.defineCommand('takeTokens', { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
  }

  /**
   * Takes one token from the subject's bucket. When Redis fails or does not answer within the deadline, policy
   * `open` allows the request and `closed` refuses it; either way `degraded` is set.
   */
  async take(subject: string, tier: Tier): Promise<LimitDecision> {
    try {
      const [allowed, , retryUs] = await withDeadline(
        this.redis.takeTokens(`rl:${subject}`, tier.capacity, tier.refillPerS, 1),
        this.deadlineMs,
      );
      return { allowed: allowed === 1, retryAfterUs: Number(retryUs), degraded: false };
    } catch (err) {
      this.onRedisError(err);
      return { allowed: this.failPolicy === 'open', retryAfterUs: 1_000_000, degraded: true };
    }
  }
}
