// The login guard for POST /auth/token, checked in Redis before any database or bcrypt work: a token bucket per
// client id, one per source address and one for the whole service, plus a backoff for a client after repeated
// failed logins (exponential, capped). One Lua script decides atomically on Redis's clock, so all workers agree.
// A client that has logged in from an address is trusted there for a day: its logins from that address take a token
// from their own bucket only, so a flood of bad logins (which drains the address, service and client buckets and sets
// the client's backoff) cannot lock the real client out. Its own failures from that address end the trust.

import type { Redis } from 'ioredis';
import type { RateLimitFailPolicy } from '../config.ts';
import { withDeadline } from '../cache/deadline.ts';
import type { Tier } from '../auth/clients.ts';

/**
 * The login buckets: per client id, per source address, and for the whole service. The service's bucket bounds the
 * bcrypt work of untrusted logins: a cost-12 check takes about 0.25 s of a core, so 2 a second cost about half a core,
 * a quarter of a 2-core machine, whatever a flood sends. Machine clients log in once per 15-minute token, and a client
 * at its trusted address skips this bucket (see the header), so real logins do not queue behind a flood.
 */
export const LOGIN_LIMITS: { client: Tier; address: Tier; global: Tier } = {
  client: { capacity: 5, refillPerS: 0.2 },
  address: { capacity: 10, refillPerS: 1 },
  global: { capacity: 10, refillPerS: 2 },
};

/** Failed logins of one client (within FAILURE_WINDOW_S) before the backoff starts. */
export const FAILURES_BEFORE_BACKOFF = 5;
/** How long failed logins are remembered. */
export const FAILURE_WINDOW_S = 900;
/** The longest backoff. */
export const MAX_BACKOFF_S = 300;
/** How long a successful login trusts its (client, address) pair. */
export const TRUST_TTL_S = 86_400;

/** The backoff after `failures` failed logins (pure): 0 below the threshold, then 1, 2, 4 ... s up to MAX_BACKOFF_S. */
export function backoffSeconds(failures: number): number {
  if (failures < FAILURES_BEFORE_BACKOFF) return 0;
  return Math.min(MAX_BACKOFF_S, 2 ** (failures - FAILURES_BEFORE_BACKOFF));
}

// KEYS: block, client bucket, address bucket, global bucket, trust mark, the trusted pair's bucket. ARGV: capacity and
// rate of the client, address and global buckets. A trusted pair takes a token from its own bucket (the client's
// capacity and rate) and nothing else. Otherwise a blocked client is refused with the block's remaining time, and a
// token is taken from every bucket, or from none if any is empty.
// Returns {allowed (0|1), retry-after in microseconds, which ("block"|"client"|"address"|"global"|""), trusted (0|1)}.
const LOGIN_GUARD_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function take(keys, caps, rates, names)
  local states = {}
  for i = 1, #keys do
    local s = redis.call('HMGET', keys[i], 'tokens', 'ts')
    local tokens = tonumber(s[1]) or caps[i]
    local ts = tonumber(s[2]) or now
    local elapsed = now - ts
    if elapsed < 0 then elapsed = 0 end
    tokens = math.min(caps[i], tokens + elapsed * rates[i] / 1000000)
    if tokens < 1 then return {0, math.ceil((1 - tokens) * 1000000 / rates[i]), names[i]} end
    states[i] = tokens - 1
  end
  for i = 1, #keys do
    redis.call('HSET', keys[i], 'tokens', tostring(states[i]), 'ts', tostring(now))
    redis.call('PEXPIRE', keys[i], math.ceil(caps[i] / rates[i] * 1000) + 1000)
  end
  return {1, 0, ''}
end
local caps = {tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[5])}
local rates = {tonumber(ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[6])}
if redis.call('EXISTS', KEYS[5]) == 1 then
  local r = take({KEYS[6]}, {caps[1]}, {rates[1]}, {'client'})
  r[4] = 1
  return r
end
local blockMs = redis.call('PTTL', KEYS[1])
if blockMs > 0 then return {0, blockMs * 1000, 'block', 0} end
local r = take({KEYS[2], KEYS[3], KEYS[4]}, caps, rates, {'client', 'address', 'global'})
r[4] = 0
return r
`;

// KEYS: failures, block, trust mark. ARGV: window s, threshold, max backoff s. Counts a failure and sets the block
// when due; for a trusted pair (KEYS are then the pair's own), the block is the end of the trust.
const LOGIN_FAILED_LUA = `
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
local threshold = tonumber(ARGV[2])
if n < threshold then return {n, 0} end
if KEYS[3] ~= '' then
  redis.call('DEL', KEYS[3])
  return {n, 0}
end
local backoff = math.min(tonumber(ARGV[3]), 2 ^ (n - threshold))
redis.call('SET', KEYS[2], '1', 'PX', math.floor(backoff * 1000))
return {n, backoff}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    loginGuard(block: string, client: string, address: string, global: string, trust: string, trusted: string, ...args: number[]): Promise<[number, number, string, number]>;
    loginFailed(failures: string, block: string, trust: string, windowS: number, threshold: number, maxBackoffS: number): Promise<[number, number]>;
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
  /** True when this client has logged in from this address before (its own bucket only). */
  trusted: boolean;
}

/** Keys of one client's and one address's login state. */
const keys = (clientId: string, address: string) => ({
  block: `login:block:${clientId}`,
  failures: `login:fail:${clientId}`,
  client: `login:rl:client:${clientId}`,
  address: `login:rl:addr:${address}`,
  global: 'login:rl:all',
  trust: `login:trust:${clientId}:${address}`,
  trustedBucket: `login:rl:pair:${clientId}:${address}`,
  trustedFailures: `login:fail:${clientId}:${address}`,
});

/** The login guard over Redis. */
export class LoginGuard {
  constructor(
    private readonly redis: Redis,
    private readonly failPolicy: RateLimitFailPolicy,
    private readonly deadlineMs: number,
    private readonly limits = LOGIN_LIMITS,
  ) {
    redis.defineCommand('loginGuard', { numberOfKeys: 6, lua: LOGIN_GUARD_LUA });
    redis.defineCommand('loginFailed', { numberOfKeys: 3, lua: LOGIN_FAILED_LUA });
  }

  /** Decides whether a login attempt by `clientId` from `address` may go on to the database and bcrypt. */
  async check(clientId: string, address: string): Promise<LoginDecision> {
    const k = keys(clientId, address);
    const { client, address: addr, global } = this.limits;
    try {
      const [allowed, retryUs, reason, trusted] = await withDeadline(
        this.redis.loginGuard(k.block, k.client, k.address, k.global, k.trust, k.trustedBucket, client.capacity, client.refillPerS, addr.capacity, addr.refillPerS, global.capacity, global.refillPerS),
        this.deadlineMs,
      );
      return { allowed: allowed === 1, retryAfterUs: Number(retryUs), reason: reason as LoginDecision['reason'], degraded: false, trusted: trusted === 1 };
    } catch {
      return { allowed: this.failPolicy === 'open', retryAfterUs: 1_000_000, reason: '', degraded: true, trusted: false };
    }
  }

  /**
   * Records a failed login; resolves with the backoff now in force (s), 0 when none (or Redis is away). A trusted
   * pair counts its own failures, and the last one it may have ends its trust instead of blocking the client.
   */
  async failed(clientId: string, address: string, trusted: boolean): Promise<number> {
    const k = keys(clientId, address);
    try {
      const call = trusted
        ? this.redis.loginFailed(k.trustedFailures, k.block, k.trust, FAILURE_WINDOW_S, FAILURES_BEFORE_BACKOFF, MAX_BACKOFF_S)
        : this.redis.loginFailed(k.failures, k.block, '', FAILURE_WINDOW_S, FAILURES_BEFORE_BACKOFF, MAX_BACKOFF_S);
      const [, backoffS] = await withDeadline(call, this.deadlineMs);
      return Number(backoffS);
    } catch {
      return 0;
    }
  }

  /**
   * Erases a client's login state (right to deletion): its block, failures and bucket, and every trusted pair with
   * its source address (a bounded SCAN). Best effort: what is missed expires within TRUST_TTL_S.
   */
  async forget(clientId: string): Promise<void> {
    const k = keys(clientId, '');
    const glob = clientId.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
    const doomed = [k.block, k.failures, k.client];
    try {
      for (const pattern of [`login:trust:${glob}:*`, `login:rl:pair:${glob}:*`, `login:fail:${glob}:*`]) {
        let cursor = '0';
        for (let i = 0; i < 100; i++) {
          const [next, found] = await withDeadline(this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000), this.deadlineMs * 4);
          doomed.push(...found);
          cursor = next;
          if (cursor === '0') break;
        }
      }
      await withDeadline(this.redis.del(...doomed), this.deadlineMs * 4);
    } catch {
      // Redis away: the keys expire on their own (TRUST_TTL_S at most)
    }
  }

  /** After a successful login: forgets the client's failed logins and trusts the pair for TRUST_TTL_S. */
  async succeeded(clientId: string, address: string): Promise<void> {
    const k = keys(clientId, address);
    const done = this.redis.multi().del(k.failures, k.trustedFailures).set(k.trust, '1', 'EX', TRUST_TTL_S).exec();
    await withDeadline(done, this.deadlineMs).catch(() => undefined);
  }
}
