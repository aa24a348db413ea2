// The SLO catalogue: our production targets as named, reusable threshold sets in k6 syntax. Spread them into a
// scenario's thresholds, or combine several with mergeSlos:
//   thresholds: mergeSlos(slos.api, slos.database, { 'http_req_duration{name:company}': ['p(95)<100'] })
// Every set is parsed (and so checked) by src/slo/grammar.ts before a run starts.

import type { ThresholdInput } from '../src/slo/grammar.ts';

/** A set of thresholds: metric keys to lists of k6 expressions. */
export type SloSet = Record<string, ThresholdInput[]>;

/** The named SLO sets. */
export const slos = {
  /** API latency and errors (production SLO "API"): p50 < 50 ms, p95 < 100 ms, p99 < 200 ms, errors < 0.1%. */
  api: {
    http_req_duration: ['p(50)<50', 'p(95)<100', 'p(99)<200'],
    http_req_failed: ['rate<0.001'],
  },
  /** Database (production SLO "database"): query p95 < 50 ms, connection pool utilisation < 70%. */
  database: {
    db_query_duration: ['p(95)<50'],
    db_pool_utilization: ['max<0.7'],
  },
  /** Cache (production SLO "cache"): Redis hit ratio > 80% over the run, memory < 90% of maxmemory. */
  cache: {
    cache_hit_ratio: ['value>0.8'],
    redis_memory_utilization: ['max<0.9'],
  },
  /** Load-test success criteria, normal load: p95 < 200 ms and errors < 0.1%. */
  normal: {
    http_req_duration: ['p(95)<200'],
    http_req_failed: ['rate<0.001'],
  },
  /**
   * Load-test success criteria, peak load: p99 < 500 ms, errors < 1%, resource usage < 70%: the service's share of
   * the machine's CPU (p95), without the load generator that shares a lab's host (src/collectors/host.ts).
   */
  peak: {
    http_req_duration: ['p(99)<500'],
    http_req_failed: ['rate<0.01'],
    service_cpu_utilization: ['p(95)<0.7'],
  },
} satisfies Record<string, SloSet>;

/** Merges threshold sets: expressions of the same key are concatenated in order, duplicates dropped. */
export function mergeSlos(...sets: SloSet[]): SloSet {
  const out: SloSet = {};
  for (const set of sets) {
    for (const [key, list] of Object.entries(set)) {
      const merged = [...(out[key] ?? [])];
      for (const t of list) {
        const text = JSON.stringify(t);
        if (!merged.some((m) => JSON.stringify(m) === text)) merged.push(t);
      }
      out[key] = merged;
    }
  }
  return out;
}

/** The same thresholds judged only during one phase (e.g. the cache once warm: `onPhase(slos.cache, 'steady')`). */
export function onPhase(set: SloSet, phase: string): SloSet {
  const out: SloSet = {};
  for (const [key, list] of Object.entries(set)) {
    const brace = key.indexOf('{');
    out[brace === -1 ? `${key}{phase:${phase}}` : `${key.slice(0, -1)},phase:${phase}}`] = list;
  }
  return out;
}
