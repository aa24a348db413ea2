// Generates the recorded run fixtures in fixtures/runs/ deterministically (seeded PRNG): pass, fail, interrupted,
// no-server. Each gets run.json, intervals.ndjson (real encoded HDR histograms), samples.ndjson, and summary.json and
// verdict.json produced by the real buildSummary and SLO evaluator.
// Usage: npx tsx scripts/make-fixture-runs.ts [outDir]   (default: fixtures/runs next to this script)
//
// generate -> { run, intervals, samples, raw } -> write ndjson -> evaluate (real code) -> write summary + verdict

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHistogram, encodeHistogram, recordLatencyUs } from '../src/metrics/histogram.ts';
import type { IntervalRecord, RequestIntervalRecord, RunJson, SampleRecord, TickIntervalRecord } from '../src/results/format.ts';
import { FORMAT_VERSION } from '../src/results/format.ts';
import { histogramQuantile, toNumericBuckets } from '../src/metrics/buckets.ts';
import { evaluateRunData } from '../src/slo/evaluate-run.ts';
import { renderJunit } from '../src/report/junit.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { seededRandom } from '../src/engine/random.ts';

/** The fixture runs this script writes. */
export const FIXTURE_KINDS = ['pass', 'fail', 'interrupted', 'no-server'] as const;
/** One fixture run's name. */
export type FixtureKind = (typeof FIXTURE_KINDS)[number];

/** A generated run, plus the raw latencies (ms) behind every request record, for exact tests. */
export interface GeneratedRun {
  run: RunJson;
  intervals: IntervalRecord[];
  samples: SampleRecord[];
  /** Per request record (same order as the req records in intervals): latencies of ok and failed requests, in ms. */
  raw: Array<{ tMs: number; name: string; okMs: number[]; failMs: number[] }>;
}

/** Fixture thresholds: the api SLOs plus server-side ones, so pass passes and fail fails on both sides. */
export const FIXTURE_THRESHOLDS = {
  http_req_duration: ['p(95)<200', 'p(99)<500'],
  'http_req_duration{name:company}': ['p(95)<100'],
  http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: false }],
  checks: ['rate>0.99'],
  db_pool_utilization: ['max<0.9'],
  db_query_duration: ['p(95)<50'],
  cache_hit_ratio: ['value>0.8'],
};

const CLIENT_THRESHOLDS = {
  http_req_duration: ['p(95)<200', 'p(99)<500'],
  'http_req_duration{name:company}': ['p(95)<100'],
  http_req_failed: ['rate<0.01'],
  checks: ['rate>0.99'],
};

const STEPS = [
  { name: 'list-companies', method: 'GET', perVuPerS: 0.4, medianMs: 25, sigma: 0.35, okStatus: '200', bytes: 4200 },
  { name: 'company', method: 'GET', perVuPerS: 0.4, medianMs: 12, sigma: 0.4, okStatus: '200', bytes: 1300 },
  { name: 'create-report', method: 'POST', perVuPerS: 0.1, medianMs: 45, sigma: 0.3, okStatus: '201', bytes: 350 },
];
const TIMEOUT_MS = 2000;
const SAMPLE_INTERVAL_MS = 2000;

/** What the server collectors accumulate between two samples. */
interface Acc {
  queries: number[];
  serverLatency: number[];
  hits: number;
  misses: number;
}


function serverSamples(kind: FixtureKind, t: number, sMs: number, shape: Shape, acc: Acc, redisUsed: number, vus: number, rand: () => number): SampleRecord[] {
  const pool = shape.pool(t);
  const active = Math.round(pool.util * 20);
  const { hits, misses } = acc;
  // A redis collector gap at 44 s in every server fixture: aggregation must skip it and count it.
  const redisGap = sMs === 44_000;
  const gapError = 'redis: timeout after 800 ms';
  return [
    { tMs: sMs, source: 'prometheus', metric: 'db_pool_utilization', value: round(pool.util) },
    { tMs: sMs, source: 'prometheus', metric: 'db_pool_waiting', value: pool.waiting },
    histSample(sMs, 'db_query_duration', acc.queries, [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000]),
    histSample(sMs, 'target_http_req_duration', acc.serverLatency, [5, 10, 25, 50, 100, 200, 500, 1000, 2500, 5000]),
    { tMs: sMs, source: 'prometheus', metric: 'circuit_breaker_state', value: kind === 'fail' && t >= 92 && t < 98 ? 2 : 0 },
    { tMs: sMs, source: 'postgres', metric: 'pg_connections', value: active, labels: { state: 'active' } },
    { tMs: sMs, source: 'postgres', metric: 'pg_connections', value: 20 - active + 2, labels: { state: 'idle' } },
    { tMs: sMs, source: 'postgres', metric: 'pg_connections', value: t % 7 === 0 ? 1 : 0, labels: { state: 'idle in transaction' } },
    redisGap
      ? { tMs: sMs, source: 'redis', metric: 'cache_hit_ratio', value: null, error: gapError }
      : { tMs: sMs, source: 'redis', metric: 'cache_hit_ratio', value: hits + misses ? round(hits / (hits + misses)) : null, num: hits, den: hits + misses },
    redisGap
      ? { tMs: sMs, source: 'redis', metric: 'redis_memory_utilization', value: null, error: gapError }
      : { tMs: sMs, source: 'redis', metric: 'redis_memory_utilization', value: round(redisUsed) },
    { tMs: sMs, source: 'host', metric: 'host_cpu_utilization', value: round(Math.min(0.99, 0.18 + vus * 0.012 + rand() * 0.05 + (pool.util >= 1 ? 0.15 : 0))) },
    { tMs: sMs, source: 'host', metric: 'host_memory_utilization', value: round(0.52 + t * 0.0004 + rand() * 0.01) },
  ];
}

function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

function lognormal(rand: () => number, medianMs: number, sigma: number): number {
  return Math.round(medianMs * Math.exp(sigma * normal(rand)) * 1000) / 1000;
}

function poisson(rand: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rand)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l && k < 1000);
  return k - 1;
}

const round = (v: number, digits = 4): number => Math.round(v * 10 ** digits) / 10 ** digits;

function bucketize(valuesMs: number[], edges: number[]): Array<[number | '+Inf', number]> {
  const out: Array<[number | '+Inf', number]> = edges.map((e) => [e, valuesMs.filter((v) => v <= e).length]);
  out.push(['+Inf', valuesMs.length]);
  return out;
}

/** A histogram sample as the prometheus collector writes it: the interval's bucket deltas, value = their p95. */
function histSample(sMs: number, metric: string, valuesMs: number[], edges: number[]): SampleRecord {
  const buckets = bucketize(valuesMs, edges);
  const p95 = histogramQuantile(0.95, toNumericBuckets(buckets));
  return { tMs: sMs, source: 'prometheus', metric, value: p95 === null ? null : round(p95, 3), buckets };
}

interface Shape {
  durS: number;
  plannedS: number;
  vus: (t: number) => number;
  /** Pool utilisation and waiting clients at second t. */
  pool: (t: number) => { util: number; waiting: number };
  /** Extra latency (queueing) at second t, ms median; 0 when healthy. */
  queueMs: (t: number) => number;
  p5xx: (t: number) => number;
  pTimeout: (t: number) => number;
}

/** The phase of second t: stages ramp-up/steady/ramp-down, or for the fail run a 100 s ramp-up then ramp-down. */
const phaseAt = (kind: FixtureKind, t: number): string =>
  kind === 'fail' ? (t < 100 ? 'ramp-up' : 'ramp-down') : t < 20 ? 'ramp-up' : t < 100 ? 'steady' : 'ramp-down';

function shapeOf(kind: FixtureKind): Shape {
  if (kind === 'fail') {
    // A ramp that crosses the pool's capacity at ~60 s: utilisation pins at 1.0, clients queue, latency knees.
    const vus = (t: number) => (t < 100 ? Math.round(0.6 * (t + 1)) : Math.round(60 * (120 - t - 1) / 20));
    return {
      durS: 120,
      plannedS: 120,
      vus,
      pool: (t) => {
        const v = vus(t);
        return { util: Math.min(1, v / 36), waiting: t >= 60 ? Math.max(0, Math.round((v - 36) * 1.6)) : 0 };
      },
      queueMs: (t) => (t >= 60 && t < 104 ? 170 + 6 * Math.max(0, vus(t) - 36) : 0),
      p5xx: (t) => (t >= 70 && t < 104 ? 0.03 : 0),
      pTimeout: (t) => (t >= 75 && t < 104 ? 0.01 : 0),
    };
  }
  const vus = (t: number) => (t < 20 ? Math.round((t + 1)) : t < 100 ? 20 : Math.round((120 - t - 1)));
  return {
    durS: kind === 'interrupted' ? 47 : 120,
    plannedS: 120,
    vus,
    pool: (t) => ({ util: Math.min(1, vus(t) / 40), waiting: 0 }),
    queueMs: () => 0,
    p5xx: () => 0,
    pTimeout: () => 0,
  };
}

/** Generates one fixture run, deterministically. */
export function generateRun(kind: FixtureKind): GeneratedRun {
  const seed = { pass: 1, fail: 2, interrupted: 3, 'no-server': 4 }[kind];
  const rand = seededRandom(0x5eed0000 + seed);
  const shape = shapeOf(kind);
  const server = kind !== 'no-server';
  const intervals: IntervalRecord[] = [];
  const samples: SampleRecord[] = [];
  const raw: GeneratedRun['raw'] = [];
  let redisUsed = 0.31;
  let acc: Acc = { queries: [], serverLatency: [], hits: 0, misses: 0 };
  for (let t = 0; t < shape.durS; t++) {
    const tMs = t * 1000;
    const phase = phaseAt(kind, t);
    const vus = shape.vus(t);
    const queue = shape.queueMs(t);
    const allOk: number[] = [];
    let total = 0;
    for (const step of STEPS) {
      const count = poisson(rand, vus * step.perVuPerS);
      const okMs: number[] = [];
      const failMs: number[] = [];
      const statuses: Record<string, number> = {};
      const errors: RequestIntervalRecord['errors'] = {};
      for (let i = 0; i < count; i++) {
        const r = rand();
        let ms = lognormal(rand, step.medianMs, step.sigma) + (queue > 0 ? lognormal(rand, queue, 0.3) : 0);
        if (r < shape.pTimeout(t)) {
          failMs.push(TIMEOUT_MS);
          errors.timeout = (errors.timeout ?? 0) + 1;
        } else if (r < shape.pTimeout(t) + shape.p5xx(t)) {
          ms = Math.min(ms, TIMEOUT_MS - 1);
          failMs.push(ms);
          statuses['503'] = (statuses['503'] ?? 0) + 1;
          errors.http_5xx = (errors.http_5xx ?? 0) + 1;
        } else {
          ms = Math.min(ms, TIMEOUT_MS - 1);
          okMs.push(ms);
          statuses[step.okStatus] = (statuses[step.okStatus] ?? 0) + 1;
        }
      }
      if (count === 0) continue;
      total += count;
      allOk.push(...okMs);
      const okHist = createHistogram();
      const failHist = createHistogram();
      for (const v of okMs) recordLatencyUs(okHist, v * 1000);
      for (const v of failMs) recordLatencyUs(failHist, v * 1000);
      const failed = failMs.length;
      const rec: RequestIntervalRecord = {
        type: 'req', tMs, intervalMs: 1000, name: step.name, method: step.method, phase, count, failed, statuses, errors,
        okHist: encodeHistogram(okHist), failHist: encodeHistogram(failHist),
        bytesIn: okMs.length * step.bytes + failed * 120, bytesOut: count * (step.method === 'POST' ? 520 : 210),
        checksPassed: step.name === 'company' ? okMs.length : 0, checksFailed: step.name === 'company' ? failed : 0,
      };
      intervals.push(rec);
      raw.push({ tMs, name: step.name, okMs, failMs });
    }
    const iterations = poisson(rand, vus / 2.6);
    const iterHist = createHistogram();
    for (let i = 0; i < iterations; i++) recordLatencyUs(iterHist, (2400 + lognormal(rand, 150, 0.4) + queue * 2) * 1000);
    const tick: TickIntervalRecord = {
      type: 'tick', tMs, intervalMs: 1000, phase, vus, vusMax: vus, iterations, droppedIterations: 0,
      iterationHist: encodeHistogram(iterHist), generatorCpu: round(0.04 + total * 0.004 + rand() * 0.03, 3),
      generatorLoopLagP99Ms: round(1.2 + rand() * 2.5, 2),
    };
    intervals.push(tick);

    // Collectors sample every 2 s (collectors.interval '2s'); deltas (queries, latencies, hits) cover both seconds.
    const pool = shape.pool(t);
    for (let i = 0; i < Math.round(total * 1.5); i++) acc.queries.push(lognormal(rand, 4 + (pool.util >= 1 ? 18 : 0), 0.6));
    acc.serverLatency.push(...allOk.map((v) => round(v * 0.85, 3)));
    const hits = Math.round(total * 1.2 * (0.9 + rand() * 0.04) * (kind === 'fail' && t >= 90 ? 0.45 : 1));
    acc.hits += hits;
    acc.misses += Math.round(total * 1.2) - hits;
    redisUsed = Math.min(0.95, redisUsed + rand() * 0.002);
    const sMs = tMs + 1000;
    if (sMs % SAMPLE_INTERVAL_MS !== 0 && t !== shape.durS - 1) continue;
    samples.push({ tMs: sMs, source: 'generator', metric: 'generator_cpu', value: tick.generatorCpu });
    samples.push({ tMs: sMs, source: 'generator', metric: 'generator_event_loop_lag', value: tick.generatorLoopLagP99Ms });
    if (server) samples.push(...serverSamples(kind, t, sMs, shape, acc, redisUsed, vus, rand));
    acc = { queries: [], serverLatency: [], hits: 0, misses: 0 };
  }
  return { run: runJson(kind, shape), intervals, samples, raw };
}

function runJson(kind: FixtureKind, shape: Shape): RunJson {
  const started = Date.parse('2026-03-02T10:00:00.000Z') + FIXTURE_KINDS.indexOf(kind) * 3_600_000;
  const durationMs = shape.durS * 1000;
  const status = kind === 'interrupted' ? 'interrupted' : 'completed';
  const thresholds = kind === 'no-server' ? CLIENT_THRESHOLDS : FIXTURE_THRESHOLDS;
  const peak = kind === 'fail' ? 60 : 20;
  const stages = kind === 'fail'
    ? [{ duration: '100s', target: 60, name: 'ramp-up' }, { duration: '20s', target: 0, name: 'ramp-down' }]
    : [{ duration: '20s', target: 20, name: 'ramp-up' }, { duration: '80s', target: 20, name: 'steady' }, { duration: '20s', target: 0, name: 'ramp-down' }];
  const phases = (kind === 'fail'
    ? [{ name: 'ramp-up', startMs: 0, endMs: 100_000 }, { name: 'ramp-down', startMs: 100_000, endMs: 120_000 }]
    : [
    { name: 'ramp-up', startMs: 0, endMs: 20_000 },
    { name: 'steady', startMs: 20_000, endMs: 100_000 },
    { name: 'ramp-down', startMs: 100_000, endMs: 120_000 },
  ])
    .filter((p) => p.startMs < durationMs)
    .map((p) => ({ ...p, endMs: Math.min(p.endMs, durationMs) }));
  return {
    format: FORMAT_VERSION,
    id: `20260302-${String(10 + FIXTURE_KINDS.indexOf(kind)).padStart(2, '0')}0000-${kind === 'fail' ? 'stress' : 'baseline'}`,
    scenario: kind === 'fail' ? 'stress' : 'baseline',
    description: kind === 'fail' ? 'ramp to 60 users until the database pool saturates' : '20 concurrent users for 2 minutes',
    profile: 'ci',
    startedAt: new Date(started).toISOString(),
    endedAt: new Date(started + durationMs).toISOString(),
    durationMs,
    plannedDurationMs: shape.plannedS * 1000,
    status,
    ...(kind === 'interrupted' ? { statusReason: 'interrupted by SIGINT at 47 s of 120 s' } : {}),
    target: { baseUrl: 'http://127.0.0.1:8080' },
    load: { executor: 'ramping-vus', peakVUs: peak },
    config: {
      name: kind === 'fail' ? 'stress' : 'baseline',
      target: { baseUrl: 'http://127.0.0.1:8080' },
      load: { executor: 'ramping-vus', startVUs: 0, stages },
      journeys: [{ name: 'browse', weight: 1, steps: STEPS.map((s) => ({ name: s.name, method: s.method, path: s.name === 'company' ? '/api/v1/companies/{{ticker}}' : s.name === 'create-report' ? '/api/v1/reports' : '/api/v1/companies?limit=20' })) }],
      thresholds,
      collectors: kind === 'no-server' ? {} : { prometheus: {}, postgres: {}, redis: { url: 'redis://:[redacted]@127.0.0.1:6379' }, host: {}, interval: '2s' },
      timeout: `${TIMEOUT_MS / 1000}s`,
    },
    environment: { node: 'v20.19.0', os: 'linux', arch: 'x64', cpus: 2, perfgateVersion: '0.1.0', gitSha: '0123456789abcdef0123456789abcdef01234567', workers: 1 },
    phases,
    faults: [],
    exitCode: kind === 'interrupted' ? 105 : kind === 'fail' ? 99 : 0,
  };
}

const ndjson = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');

/** Writes one fixture run directory (replacing it), with summary.json and verdict.json from the real evaluator. */
export function writeFixture(outDir: string, kind: FixtureKind): void {
  const dir = join(outDir, kind);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const gen = generateRun(kind);
  let intervals = ndjson(gen.intervals);
  // An interrupted run's writer was cut off mid-line: keep the last line half-written.
  if (kind === 'interrupted') intervals += JSON.stringify(gen.intervals[0]).slice(0, 57);
  writeFileSync(join(dir, 'run.json'), `${JSON.stringify(gen.run, null, 2)}\n`);
  writeFileSync(join(dir, 'intervals.ndjson'), intervals);
  writeFileSync(join(dir, 'samples.ndjson'), ndjson(kind === 'no-server' ? [] : gen.samples));
  const data = { run: gen.run, intervals: gen.intervals, samples: kind === 'no-server' ? [] : gen.samples };
  const { summary, verdict } = evaluateRunData(data);
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(dir, 'verdict.json'), `${JSON.stringify(verdict, null, 2)}\n`);
  writeFileSync(join(dir, 'junit.xml'), renderJunit(gen.run, verdict));
  writeFileSync(join(dir, 'summary.md'), renderMarkdown(gen.run, verdict));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'fixtures', 'runs'));
  for (const kind of FIXTURE_KINDS) writeFixture(outDir, kind);
  process.stdout.write(`wrote ${FIXTURE_KINDS.join(', ')} to ${outDir}\n`);
}
