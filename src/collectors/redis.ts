// The redis collector: INFO stats, memory and clients on a dedicated ioredis connection (lazy connect, short
// command timeout, no offline queue, no retries per request), turned into ratios, deltas and gauges.

import { Redis } from 'ioredis';
import type { Collector, CollectorSample } from './types.ts';
import { CounterTracker } from './counters.ts';
import { redactUrl, redactText, urlSecrets } from '../redact.ts';
import { pinnedRedisUrl, type PinnedRedis } from '../engine/host-guard.ts';

/** Options of the redis collector. */
export interface RedisCollectorOptions {
  url: string;
  /** The URL as the host guard cleared it (pinned to the checked address); otherwise `url` as written. */
  pinned?: PinnedRedis;
  /** Per-command timeout, ms; 500 by default (below the sampling interval). */
  commandTimeoutMs?: number;
}

/** Parses the `key:value` lines of an INFO reply. */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** Derives samples from successive INFO replies; keeps the counter baselines between calls. */
export class RedisDeriver {
  private readonly counters = new CounterTracker();
  private runId: string | undefined;

  /** The samples of one INFO reply read at run time tMs. */
  derive(info: Map<string, string>, tMs: number): CollectorSample[] {
    const num = (key: string): number | undefined => {
      const v = info.get(key);
      const n = v === undefined ? NaN : Number(v);
      return Number.isFinite(n) ? n : undefined;
    };
    // A new run_id is a restarted server: its counters start again from zero.
    const runId = info.get('run_id');
    if (runId !== undefined && this.runId !== undefined && runId !== this.runId) this.counters.clear();
    if (runId !== undefined) this.runId = runId;
    const out: CollectorSample[] = [];
    const src = 'redis';
    const hits = num('keyspace_hits');
    const misses = num('keyspace_misses');
    if (hits !== undefined && misses !== undefined) {
      const h = this.counters.update('hits', hits, tMs);
      const m = this.counters.update('misses', misses, tMs);
      if (h && m) {
        const den = h.delta + m.delta;
        out.push({ source: src, metric: 'cache_hit_ratio', value: den > 0 ? h.delta / den : null, num: h.delta, den });
      }
    }
    const used = num('used_memory');
    const max = num('maxmemory');
    if (used !== undefined && max !== undefined) {
      out.push(
        max > 0
          ? { source: src, metric: 'redis_memory_utilization', value: used / max }
          : { source: src, metric: 'redis_memory_utilization', value: null, labels: { maxmemory: 'unset' }, error: 'maxmemory not set' },
      );
    }
    const evicted = num('evicted_keys');
    if (evicted !== undefined) {
      const c = this.counters.update('evicted', evicted, tMs);
      if (c) out.push({ source: src, metric: 'redis_evicted_keys', value: c.delta });
    }
    const clients = num('connected_clients');
    if (clients !== undefined) out.push({ source: src, metric: 'redis_connected_clients', value: clients });
    const commands = num('total_commands_processed');
    if (commands !== undefined) {
      const c = this.counters.update('commands', commands, tMs);
      if (c && c.ratePerS !== null) out.push({ source: src, metric: 'redis_ops', value: c.ratePerS });
    }
    return out;
  }
}

/** Creates a collector reading INFO from the Redis at `url` once per tick. */
export function createRedisCollector(opts: RedisCollectorOptions): Collector {
  const secrets = urlSecrets(opts.url);
  const where = redactUrl(opts.url);
  const deriver = new RedisDeriver();
  const timeoutMs = opts.commandTimeoutMs ?? 500;
  const client = new Redis(opts.pinned ? pinnedRedisUrl(opts.pinned) : opts.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs * 2,
    connectionName: 'perfgate-collector',
    enableReadyCheck: false,
    // Reconnect quickly and forever; each tick fails fast while the server is away.
    retryStrategy: () => 500,
  });
  client.on('error', () => undefined); // reported per tick as a gap; never an unhandled 'error' event
  return {
    name: 'redis',
    metrics: ['cache_hit_ratio', 'redis_memory_utilization', 'redis_evicted_keys', 'redis_connected_clients', 'redis_ops'],
    async sample(_signal: AbortSignal, tMs: number): Promise<CollectorSample[]> {
      try {
        if (client.status === 'wait' || client.status === 'end') await client.connect();
        // Plain INFO (the default sections: server, clients, memory, stats, ...) works on every Redis version.
        const text = await client.info();
        return deriver.derive(parseInfo(text), tMs);
      } catch (err) {
        throw new Error(`redis ${where}: ${redactText((err as Error).message ?? String(err), secrets)}`);
      }
    },
    async close(): Promise<void> {
      client.disconnect();
    },
  };
}
