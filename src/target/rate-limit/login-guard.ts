// The login guard for POST /auth/token, checked in Redis before any database or bcrypt work: a token bucket per
// client id, one per source address and one for the whole service, plus a backoff for a client after repeated
// failed logins (exponential, capped). One Lua script decides atomically on Redis's clock, so all workers agree.

import type { Redis } from 'ioredis';
import type { RateLimitFailPolicy } from '../config.ts';
import { withDeadline } from '../cache/deadline.ts';
import type { Tier } from '../auth/clients.ts';

/** The login buckets: per client id, per source address, and for the whole service. */
export const LOGIN_LIMITS: { client: Tier; address: Tier; global: Tier } = {
  client: { capacity: 5, refillPerS: 0.2 },
  address: { capacity: 10, refillPerS: 1 },
  global: { capacity: 50, refillPerS: 20 },
};

/** Failed logins of one client (within FAILURE_WINDOW_S) before the backoff starts. */
export const FAILURES_BEFORE_BACKOFF = 5;
/** How long failed logins are remembered. */
export const FAILURE_WINDOW_S = 900;
/** The longest backoff. */
export const MAX_BACKOFF_S = 300;

/** The backoff after `failures` failed logins (pure): 0 below the threshold, then 1, 2, 4 ... s up to MAX_BACKOFF_S. */
export function backoffSeconds(failures: number): number {
  if (failures < FAILURES_BEFORE_BACKOFF) return 0;
  return Math.min(MAX_BACKOFF_S, 2 ** (failures - FAILURES_BEFORE_BACKOFF));
}

// KEYS: block, client bucket, address bucket, global bucket. ARGV: capacity and rate of each bucket.
// A blocked client is refused with the block's remaining time; otherwise a token is taken from every bucket, or from
// none if any is empty. Returns {allowed (0|1), retry-after in microseconds, which ("block"|"client"|"address"|"global"|"")}.
const LOGIN_GUARD_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local blockMs = redis.call('PTTL', KEYS[1])
if blockMs > 0 then return {0, blockMs * 1000, 'block'} end
local names = {'client', 'address', 'global'}
local states = {}
for i = 1, 3 do
  local cap = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i])
  local s = redis.call('HMGET', KEYS[i + 1], 'tokens', 'ts')
  local tokens = tonumber(s[1]) or cap
  local ts = tonumber(s[2]) or now
  local elapsed = now - ts
  if elapsed < 0 then elapsed = 0 end
  tokens = math.min(cap, tokens + elapsed * rate / 1000000)
  if tokens < 1 then return {0, math.ceil((1 - tokens) * 1000000 / rate), names[i]} end
  states[i] = {tokens - 1, cap, rate}
end
for i = 1, 3 do
  redis.call('HSET', KEYS[i + 1], 'tokens', tostring(states[i][1]), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[i + 1], math.ceil(states[i][2] / states[i][3] * 1000) + 1000)
end
return {1, 0, ''}
`;

// KEYS: failures, block. ARGV: window s, threshold, max backoff s. Counts a failure and sets the block when due.
const LOGIN_FAILED_LUA = `
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
local threshold = tonumber(ARGV[2])
if n < threshold then return {n, 0} end
local backoff = math.min(tonumber(ARGV[3]), 2 ^ (n - threshold))
redis.call('SET', KEYS[2], '1', 'PX', math.floor(backoff * 1000))
return {n, backoff}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    loginGuard(block: string, client: string, address: string, global: string, ...args: number[]): Promise<[number, number, string]>;
    loginFailed(failures: string, block: string, windowS: number, threshold: number, maxBackoffS: number): Promise<[number, number]>;
  }
}

/** The guard's decision on one login attempt. */
export interface LoginDecision {
  allowed: boolean;
  retryAfterUs: number;
  /** What refused it: the client's backoff, or the bucket that was empty. */
  reason: '' | 'block' | 'client' | 'address' | 'global';
  /** True when Redis could not answer and the fail policy decided. */
  degraded: boolean;
}

/** Keys of one client's and one address's login state. */
const keys = (clientId: string, address: string) => ({
  block: `login:block:${clientId}`,
  failures: `login:fail:${clientId}`,
  client: `login:rl:client:${clientId}`,
  address: `login:rl:addr:${address}`,
  global: 'login:rl:all',
});

/** The login guard over Redis. */
export class LoginGuard {
  constructor(
    private readonly redis: Redis,
    private readonly failPolicy: RateLimitFailPolicy,
    private readonly deadlineMs: number,
    private readonly limits = LOGIN_LIMITS,
  ) {
    redis.defineCommand('loginGuard', { numberOfKeys: 4, lua: LOGIN_GUARD_LUA });
    redis.defineCommand('loginFailed', { numberOfKeys: 2, lua: LOGIN_FAILED_LUA });
  }

  /** Decides whether a login attempt by `clientId` from `address` may go on to the database and bcrypt. */
  async check(clientId: string, address: string): Promise<LoginDecision> {
    const k = keys(clientId, address);
    const { client, address: addr, global } = this.limits;
    try {
      const [allowed, retryUs, reason] = await withDeadline(
        this.redis.loginGuard(k.block, k.client, k.address, k.global, client.capacity, client.refillPerS, addr.capacity, addr.refillPerS, global.capacity, global.refillPerS),
        this.deadlineMs,
      );
      return { allowed: allowed === 1, retryAfterUs: Number(retryUs), reason: reason as LoginDecision['reason'], degraded: false };
    } catch {
      return { allowed: this.failPolicy === 'open', retryAfterUs: 1_000_000, reason: '', degraded: true };
    }
  }

  /** Records a failed login; resolves with the backoff now in force (s), 0 when none (or Redis is away). */
  async failed(clientId: string): Promise<number> {
    const k = keys(clientId, '');
    try {
      const [, backoffS] = await withDeadline(this.redis.loginFailed(k.failures, k.block, FAILURE_WINDOW_S, FAILURES_BEFORE_BACKOFF, MAX_BACKOFF_S), this.deadlineMs);
      return Number(backoffS);
    } catch {
      return 0;
    }
  }

  /** Forgets a client's failed logins after a successful one. */
  async succeeded(clientId: string): Promise<void> {
    await withDeadline(this.redis.del(keys(clientId, '').failures), this.deadlineMs).catch(() => undefined);
  }
}
