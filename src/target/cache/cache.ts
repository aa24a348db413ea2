// Cache-aside over Redis: read the cache, on a miss load from the database and store with a TTL.
// Redis trouble never fails a request: it counts as a miss (and an error), and the database answers.

import type { Redis } from 'ioredis';
import { withDeadline } from './deadline.ts';

/** Counters the cache reports to (labelled by cache name). */
export interface CacheObserver {
  hit(cache: string): void;
  miss(cache: string): void;
  error(cache: string, err: unknown): void;
}

/** Key of one company's detail. */
export const companyKey = (ticker: string): string => `cache:company:${ticker}`;
/** Key of one company list page (the query string is normalised by the caller). */
export const companyListKey = (query: string): string => `cache:companies:${query}`;
/** The set that remembers every cached company list page, so a write can drop them all. */
export const COMPANY_LIST_INDEX = 'cache:companies:index';
/** Key of one leaderboard. */
export const leaderboardKey = (query: string): string => `cache:leaderboard:${query}`;
/** Key of the last quote seen for a ticker (the stale fallback). */
export const lastQuoteKey = (ticker: string): string => `quote:last:${ticker}`;

// Deletes every key listed in the index set, the set itself, and any extra keys, atomically.
const INVALIDATE_LUA = `
local members = redis.call('SMEMBERS', KEYS[1])
for i = 1, #members, 500 do
  redis.call('DEL', unpack(members, i, math.min(i + 499, #members)))
end
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return #members
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    invalidateIndexed(numKeys: number, ...keys: string[]): Promise<number>;
  }
}

/** Cache-aside helper with hit/miss accounting. */
export class Cache {
  constructor(
    private readonly redis: Redis,
    private readonly observer: CacheObserver,
    private readonly deadlineMs: number,
  ) {
    redis.defineCommand('invalidateIndexed', { lua: INVALIDATE_LUA });
  }

  /** Loads in flight per key: concurrent misses on one key share one database query (no thundering herd). */
  private readonly inflight = new Map<string, Promise<string | null>>();

  /**
   * Returns the JSON text cached at key, or loads the value, stores its JSON for ttlS and returns that text (hits
   * are sent as they are: no parse, no re-serialise). `index` (optional) is a set the key is added to, for group
   * invalidation. A `null` load result is not cached and gives null.
   */
  async getOrLoadJson(cache: string, key: string, ttlS: number, load: () => Promise<unknown>, index?: string): Promise<string | null> {
    let cached: string | null = null;
    let redisOk = true;
    try {
      cached = await withDeadline(this.redis.get(key), this.deadlineMs);
    } catch (err) {
      redisOk = false;
      this.observer.error(cache, err);
    }
    if (cached !== null) {
      this.observer.hit(cache);
      return cached;
    }
    this.observer.miss(cache);
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const loading = (async () => {
      const value = await load();
      if (value === null) return null;
      const json = JSON.stringify(value);
      if (redisOk) {
        const multi = this.redis.multi().set(key, json, 'EX', ttlS);
        if (index) multi.sadd(index, key).expire(index, ttlS * 2);
        multi.exec().catch((err: unknown) => this.observer.error(cache, err));
      }
      return json;
    })();
    this.inflight.set(key, loading);
    try {
      return await loading;
    } finally {
      this.inflight.delete(key);
    }
  }

  /** Drops single keys and every key recorded in an index set. Errors are reported, not thrown. */
  async invalidate(cache: string, index: string, keys: string[]): Promise<void> {
    try {
      await withDeadline(this.redis.invalidateIndexed(1 + keys.length, index, ...keys), this.deadlineMs);
    } catch (err) {
      this.observer.error(cache, err);
    }
  }

  /** Stores a value without expiry accounting (used for the last-known quote). */
  async put(cache: string, key: string, value: unknown, ttlS: number): Promise<void> {
    try {
      await this.redis.set(key, JSON.stringify(value), 'EX', ttlS);
    } catch (err) {
      this.observer.error(cache, err);
    }
  }

  /** Reads a value stored with put(); null when absent or when Redis fails. */
  async peek<T>(cache: string, key: string): Promise<T | null> {
    try {
      const raw = await withDeadline(this.redis.get(key), this.deadlineMs);
      if (raw === null) {
        this.observer.miss(cache);
        return null;
      }
      this.observer.hit(cache);
      return JSON.parse(raw) as T;
    } catch (err) {
      this.observer.error(cache, err);
      return null;
    }
  }
}
