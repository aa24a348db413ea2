// Synthetic runs with a known truth for the regression-gate tests: lognormal latencies, intervals whose level follows
// an AR(1) process (consecutive seconds are correlated), and a run-level factor (the drift between runs of one build).

import { deflateSync } from 'node:zlib';
import { seededRandom } from '../../src/engine/random.ts';
import { createHistogram, HIST_HIGHEST_US, HIST_LOWEST_US } from '../../src/metrics/histogram.ts';
import type { IntervalRecord, SampleRecord } from '../../src/results/format.ts';
import type { RunInput } from '../../src/compare/compare.ts';

/** The truth of one synthetic run. */
export interface SyntheticRunSpec {
  seed: number;
  /** Seconds of load. */
  durationS?: number;
  /** Requests per second per name. */
  ratePerS?: number;
  names?: string[];
  /** Median latency (ms) of the first name; later names are slower by 30% each. */
  medianMs?: number;
  /** Log-scale spread of a request's latency. */
  sigma?: number;
  /** Run-to-run spread: the sd of the run's log latency factor, shared by every name (the machine's drift). */
  runSpread?: number;
  /** Each name's own run-to-run spread: the sd of a log factor drawn per name and run (0 by default). */
  nameSpread?: number;
  /** A slower machine: multiplies every latency and the generator's CPU per request (1 by default). */
  machineFactor?: number;
  /** AR(1) of the per-interval log factor: coefficient and innovation sd. */
  ar?: { phi: number; sd: number };
  /** Multiplies every latency of one name (or all names when name is omitted): a regression. */
  slowdown?: { factor: number; name?: string };
  /** Probability that a request fails. */
  errorRate?: number;
  /** Add server samples (db_query_duration buckets, db_pool_utilization, cache_hit_ratio). */
  server?: { dbFactor?: number };
}

const layout = createHistogram() as unknown as { countsArrayIndex(v: number): number };

/**
 * Encodes latencies (us) as perfgate's HDR histograms are encoded (V2, compressed; 1 us to 60 s, 3 digits), without
 * building a full histogram: the synthetic runs hold many thousands of intervals, and the library's path is slow.
 */
export function encodeLatenciesUs(values: readonly number[]): string {
  if (values.length === 0) return '';
  const idx = values.map((v) => layout.countsArrayIndex(Math.min(HIST_HIGHEST_US, Math.max(HIST_LOWEST_US, Math.round(v))))).sort((a, b) => a - b);
  const bytes: number[] = [];
  const put = (n: number) => {
    let z = n >= 0 ? 2 * n : -2 * n - 1;
    do {
      const b = z % 128;
      z = Math.floor(z / 128);
      bytes.push(z > 0 ? b | 0x80 : b);
    } while (z > 0);
  };
  let next = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j < idx.length && idx[j] === idx[i]) j++;
    if (idx[i] > next) put(-(idx[i] - next));
    put(j - i);
    next = idx[i] + 1;
    i = j;
  }
  const body = Buffer.alloc(40 + bytes.length);
  body.writeInt32BE(0x1c849303 | 0x10, 0);
  body.writeInt32BE(bytes.length, 4);
  body.writeInt32BE(0, 8);
  body.writeInt32BE(3, 12);
  body.writeUInt32BE(0, 16);
  body.writeUInt32BE(HIST_LOWEST_US, 20);
  body.writeUInt32BE(0, 24);
  body.writeUInt32BE(HIST_HIGHEST_US, 28);
  body.writeDoubleBE(1, 32);
  Buffer.from(bytes).copy(body, 40);
  const z = deflateSync(body);
  const out = Buffer.alloc(8 + z.length);
  out.writeInt32BE(0x1c849304 | 0x10, 0);
  out.writeInt32BE(z.length, 4);
  z.copy(out, 8);
  return out.toString('base64');
}

function normal(rand: () => number): number {
  // Box–Muller, one value.
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Builds the records of a synthetic run (a RunInput for compareRuns). */
export function syntheticRun(spec: SyntheticRunSpec): RunInput {
  const rand = seededRandom(spec.seed);
  const durationS = spec.durationS ?? 40;
  const rate = spec.ratePerS ?? 40;
  const names = spec.names ?? ['list', 'item'];
  const sigma = spec.sigma ?? 0.5;
  const ar = spec.ar ?? { phi: 0.7, sd: 0.05 };
  const runFactor = Math.exp((spec.runSpread ?? 0.02) * normal(rand)) * (spec.machineFactor ?? 1);
  const nameFactors = names.map(() => (spec.nameSpread ? Math.exp(spec.nameSpread * normal(rand)) : 1));
  const intervals: IntervalRecord[] = [];
  const samples: SampleRecord[] = [];
  let level = 0;
  for (let s = 0; s < durationS; s++) {
    level = ar.phi * level + ar.sd * normal(rand);
    for (const [i, name] of names.entries()) {
      const slow = spec.slowdown && (spec.slowdown.name === undefined || spec.slowdown.name === name) ? spec.slowdown.factor : 1;
      const median = (spec.medianMs ?? 20) * 1.3 ** i * runFactor * nameFactors[i] * Math.exp(level) * slow;
      const ok: number[] = [];
      const fail: number[] = [];
      for (let k = 0; k < rate; k++) {
        const us = median * 1000 * Math.exp(sigma * normal(rand));
        (spec.errorRate && rand() < spec.errorRate ? fail : ok).push(us);
      }
      const failed = fail.length;
      intervals.push({ type: 'req', tMs: s * 1000, intervalMs: 1000, name, method: 'GET', count: rate, failed, statuses: { '200': rate - failed }, errors: failed ? { http_5xx: failed } : {}, okHist: encodeLatenciesUs(ok), failHist: encodeLatenciesUs(fail), bytesIn: 0, bytesOut: 0, checksPassed: 0, checksFailed: 0 });
    }
    intervals.push({ type: 'tick', tMs: s * 1000, intervalMs: 1000, vus: 10, vusMax: 10, iterations: rate, droppedIterations: 0, iterationHist: '', generatorCpu: 0.1 * (spec.machineFactor ?? 1), generatorLoopLagP99Ms: 1 });
    if (spec.server) samples.push(...serverSamples(s, rand, runFactor * Math.exp(level) * (spec.server.dbFactor ?? 1)));
  }
  const id = `synthetic-${spec.seed}`;
  return { ref: { dir: id, id, scenario: 'synthetic', profile: 'ci', startedAt: '2026-01-01T00:00:00.000Z' }, records: { intervals, samples } };
}

const DB_BOUNDS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000];

function serverSamples(s: number, rand: () => number, dbFactor: number): SampleRecord[] {
  const tMs = (s + 1) * 1000;
  const counts = DB_BOUNDS.map(() => 0);
  let total = 0;
  for (let k = 0; k < 60; k++) {
    const ms = 4 * dbFactor * Math.exp(0.6 * normal(rand));
    total++;
    DB_BOUNDS.forEach((b, j) => {
      if (ms <= b) counts[j]++;
    });
  }
  const buckets: Array<[number | '+Inf', number]> = [...DB_BOUNDS.map((b, j) => [b, counts[j]] as [number, number]), ['+Inf', total]];
  const hits = 80 + Math.floor(rand() * 10);
  return [
    { tMs, source: 'prometheus', metric: 'db_query_duration', value: null, buckets },
    { tMs, source: 'prometheus', metric: 'db_pool_utilization', value: 0.3 * dbFactor + 0.05 * rand() },
    { tMs, source: 'redis', metric: 'cache_hit_ratio', value: hits / 100, num: hits, den: 100 },
  ];
}

/** Writes a synthetic run as a run directory (run.json, intervals.ndjson, samples.ndjson). */
export async function writeSyntheticRunDir(dir: string, r: RunInput, meta: { scenario?: string; profile?: 'ci' | 'smoke' | 'full'; startedAt: string; gitSha?: string; status?: 'completed' | 'invalid'; targetBuild?: string; profiled?: boolean }): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await mkdir(dir, { recursive: true });
  const run = {
    format: 1, id: `${meta.startedAt}-${meta.scenario ?? 'synthetic'}`, scenario: meta.scenario ?? 'synthetic', profile: meta.profile ?? 'ci',
    startedAt: meta.startedAt, plannedDurationMs: 0, status: meta.status ?? 'completed', target: { baseUrl: 'http://127.0.0.1:1', ...(meta.targetBuild ? { build: meta.targetBuild } : {}) },
    ...(meta.profiled !== undefined ? { profiled: meta.profiled } : {}),
    load: { executor: 'constant-arrival-rate' }, config: {}, phases: [], faults: [],
    environment: { node: 'v20', os: 'linux', arch: 'x64', cpus: 2, perfgateVersion: '0.1.0', workers: 1, ...(meta.gitSha ? { gitSha: meta.gitSha } : {}) },
  };
  await writeFile(join(dir, 'run.json'), JSON.stringify(run));
  await writeFile(join(dir, 'intervals.ndjson'), r.records.intervals.map((x) => JSON.stringify(x)).join('\n') + '\n');
  await writeFile(join(dir, 'samples.ndjson'), r.records.samples.map((x) => JSON.stringify(x)).join('\n') + '\n');
}
