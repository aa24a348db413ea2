// A synthetic run for the report tests and benchmark: deterministic, built with the run-directory format types.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IntervalRecord, RunJson, SampleRecord, SummaryJson, VerdictEntry, VerdictJson } from '../../src/results/format.ts';
import { createHistogram, encodeHistogram, recordLatencyUs } from '../../src/metrics/histogram.ts';

/** Options of the synthetic run. */
export interface SyntheticOptions {
  durationS?: number;
  names?: string[];
  requestsPerInterval?: number;
  /** Latency knee: from this second on, p95 rises above 200 ms while the pool saturates. */
  kneeAtS?: number;
  server?: boolean;
  verdict?: 'pass' | 'fail' | 'none' | 'interrupted';
  status?: RunJson['status'];
  scenario?: string;
  baseUrl?: string;
  /** Extra text put into error-ish places (names, statement text, fault names, reasons). */
  hostile?: string;
  databaseUrl?: string;
}

/** A synthetic run's records. */
export interface SyntheticRun {
  run: RunJson;
  intervals: IntervalRecord[];
  samples: SampleRecord[];
  summary: SummaryJson;
  verdict?: VerdictJson;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** A threshold entry as the SLO evaluator writes it. */
export function entry(key: string, metric: string, aggregation: string, operator: VerdictEntry['operator'], limit: number, observed: number | null, unit: string, tags: Record<string, string> = {}): VerdictEntry {
  const pass = observed !== null && (operator === '<' ? observed < limit : operator === '>' ? observed > limit : operator === '<=' ? observed <= limit : observed >= limit);
  const margin = observed === null ? null : operator.startsWith('<') ? limit - observed : observed - limit;
  const expression = `${aggregation}${operator}${limit}`;
  return { key, metric, tags, expression, aggregation, operator, limit, observed, pass, margin, marginPct: margin === null ? null : (100 * margin) / limit, unit, window: { fromMs: 0, toMs: 0 }, abortOnFail: false };
}

/** Builds a synthetic run: `names` endpoints, one interval per second, optional server samples and a latency knee. */
export function syntheticRun(o: SyntheticOptions = {}): SyntheticRun {
  const durationS = o.durationS ?? 60;
  const names = o.names ?? ['list-companies', 'company', 'leaderboard'];
  const perInterval = o.requestsPerInterval ?? 40;
  const knee = o.kneeAtS ?? Math.floor(durationS * 0.6);
  const h = o.hostile ?? '';
  const rand = rng(42);
  const intervals: IntervalRecord[] = [];
  const samples: SampleRecord[] = [];
  for (let s = 0; s < durationS; s++) {
    const tMs = s * 1000;
    const slow = s >= knee && o.verdict !== 'pass';
    const phase = s < durationS * 0.2 ? 'ramp-up' : 'steady';
    for (const [i, name] of names.entries()) {
      const ok = createHistogram();
      const fail = createHistogram();
      let failed = 0;
      for (let k = 0; k < perInterval; k++) {
        const base = 5_000 + i * 3_000 + rand() * 30_000;
        const latencyUs = slow ? base * (4 + rand() * 10) : base;
        if (slow && rand() < 0.03) { failed++; recordLatencyUs(fail, 1_000_000); } else recordLatencyUs(ok, latencyUs);
      }
      intervals.push({ type: 'req', tMs, intervalMs: 1000, name: `${name}${h}`, method: 'GET', phase, count: perInterval, failed, statuses: { '200': perInterval - failed }, errors: failed ? { timeout: failed } : {}, okHist: encodeHistogram(ok), failHist: encodeHistogram(fail), bytesIn: 1000, bytesOut: 100, checksPassed: perInterval, checksFailed: 0 });
    }
    intervals.push({ type: 'tick', tMs, intervalMs: 1000, phase, vus: Math.min(50, 5 + s), vusMax: Math.min(50, 5 + s), iterations: perInterval, droppedIterations: 0, iterationHist: '', generatorCpu: 0.3 + rand() * 0.1, generatorLoopLagP99Ms: 2 + rand() * 3 });
    if (o.server !== false) {
      const util = slow ? 1 : 0.3 + 0.4 * (s / knee);
      samples.push({ tMs, source: 'prometheus', metric: 'db_pool_utilization', value: util });
      samples.push({ tMs, source: 'prometheus', metric: 'db_pool_waiting', value: slow ? 40 : 0 });
      samples.push({ tMs, source: 'prometheus', metric: 'db_query_duration', value: null, buckets: [[5, slow ? 2 : 40], [50, slow ? 20 : 50], [200, 60], ['+Inf', 60]] });
      for (const state of ['active', 'idle', 'idle in transaction']) samples.push({ tMs, source: 'postgres', metric: 'pg_connections', value: state === 'active' ? (slow ? 20 : 8) : 3, labels: { state } });
      samples.push({ tMs, source: 'redis', metric: 'cache_hit_ratio', value: null, num: slow ? 50 : 90, den: 100 });
      samples.push({ tMs, source: 'redis', metric: 'redis_memory_utilization', value: 0.4 });
      samples.push({ tMs, source: 'host', metric: 'host_cpu_utilization', value: slow ? 0.9 : 0.5 });
      if (s === 3) samples.push({ tMs, source: 'postgres', metric: 'pg_connections', value: null, error: `connection refused ${o.databaseUrl ?? ''}` });
    }
  }
  if (o.server !== false) {
    samples.push({ tMs: durationS * 1000, source: 'postgres', metric: 'pg_top_statement', value: 1234.5, labels: { query: `SELECT * FROM companies WHERE ticker = $1${h}`, calls: '900' } });
  }
  const runEnd = durationS * 1000;
  const status = o.status ?? (o.verdict === 'interrupted' ? 'interrupted' : 'completed');
  const run: RunJson = {
    format: 1,
    id: `20260101-000000-${o.scenario ?? 'baseline'}`,
    scenario: o.scenario ?? 'baseline',
    description: `synthetic${h}`,
    profile: 'ci',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: new Date(Date.parse('2026-01-01T00:00:00.000Z') + runEnd).toISOString(),
    durationMs: runEnd,
    plannedDurationMs: runEnd,
    status,
    ...(status !== 'completed' ? { statusReason: `stopped by SIGINT${h}` } : {}),
    target: { baseUrl: o.baseUrl ?? 'http://127.0.0.1:8080' },
    load: { executor: 'ramping-vus', peakVUs: 50 },
    config: { databaseUrl: o.databaseUrl ?? 'postgres://app:***@127.0.0.1:5432/app' },
    environment: { node: 'v20.0.0', os: 'linux', arch: 'x64', cpus: 2, perfgateVersion: '0.1.0', gitSha: 'abc1234', workers: 1 },
    phases: [{ name: 'ramp-up', startMs: 0, endMs: runEnd * 0.2 }, { name: `steady${h}`, startMs: runEnd * 0.2, endMs: runEnd }],
    faults: h ? [{ name: `fault${h}`, startMs: runEnd * 0.5, endMs: runEnd * 0.6 }] : [],
    exitCode: 0,
  };
  const summary: SummaryJson = { format: 1, state: { testRunDurationMs: runEnd, status }, metrics: {} };
  let verdict: VerdictJson | undefined;
  if (o.verdict !== 'none') {
    const slowRun = o.verdict !== 'pass';
    const thresholds = [
      entry('http_req_duration', 'http_req_duration', 'p(95)', '<', 200, slowRun ? 340 : 60, 'ms'),
      entry('http_req_duration', 'http_req_duration', 'p(99)', '<', 500, slowRun ? 450 : 90, 'ms'),
      entry('http_req_failed', 'http_req_failed', 'rate', '<', 0.01, slowRun ? 0.012 : 0, 'ratio'),
      entry(`http_req_duration{name:${names[1] ?? names[0]}${h}}`, 'http_req_duration', 'p(95)', '<', 100, slowRun ? 300 : 50, 'ms', { name: `${names[1] ?? names[0]}${h}` }),
      entry('db_pool_utilization', 'db_pool_utilization', 'max', '<', 0.7, slowRun ? 1 : 0.6, 'ratio'),
      entry('cache_hit_ratio', 'cache_hit_ratio', 'rate', '>', 0.8, slowRun ? 0.75 : 0.9, 'ratio'),
    ];
    const failing = thresholds.some((t) => !t.pass);
    const vStatus = o.verdict === 'interrupted' ? 'interrupted' : failing ? 'fail' : 'pass';
    verdict = {
      format: 1,
      status: vStatus,
      exitCode: vStatus === 'pass' ? 0 : vStatus === 'interrupted' ? 105 : 99,
      thresholds,
      alerts: [
        { severity: 'P1', rule: `pool > 90%${h}`, description: `database pool above 90%${h}`, fired: slowRun, ...(slowRun ? { firstAtMs: knee * 1000, observed: 1 } : {}) },
        { severity: 'P0', rule: 'error rate > 5%', description: 'error rate above 5%', fired: false },
      ],
    };
  }
  return { run, intervals, samples, summary, verdict };
}

/** Writes a synthetic run into a run directory. */
export async function writeRunDir(dir: string, r: SyntheticRun): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'run.json'), JSON.stringify(r.run, null, 2));
  await writeFile(join(dir, 'intervals.ndjson'), r.intervals.map((x) => JSON.stringify(x)).join('\n') + '\n');
  await writeFile(join(dir, 'samples.ndjson'), r.samples.map((x) => JSON.stringify(x)).join('\n') + '\n');
  await writeFile(join(dir, 'summary.json'), JSON.stringify(r.summary, null, 2));
  if (r.verdict) await writeFile(join(dir, 'verdict.json'), JSON.stringify(r.verdict, null, 2));
}

/**
 * A drill: phases before / outage / recovery, the `company` endpoint slow during the outage (an injected fault), and
 * one failing threshold scoped to that endpoint and phase; every unscoped threshold holds.
 */
export function drillRun(durationS = 30): SyntheticRun {
  const r = syntheticRun({ durationS, verdict: 'pass', scenario: 'upstream-outage', server: false, requestsPerInterval: 10 });
  const endMs = durationS * 1000;
  const outage = { startMs: Math.round(endMs * 0.3), endMs: Math.round(endMs * 0.7) };
  r.run.phases = [{ name: 'before', startMs: 0, endMs: outage.startMs }, { name: 'outage', ...outage }, { name: 'recovery', startMs: outage.endMs, endMs }];
  r.run.faults = [{ name: 'upstream down', ...outage }];
  const slow = createHistogram();
  for (let k = 0; k < 10; k++) recordLatencyUs(slow, 180_000 + k * 9_000);
  for (const rec of r.intervals) {
    const phase = rec.tMs < outage.startMs ? 'before' : rec.tMs < outage.endMs ? 'outage' : 'recovery';
    rec.phase = phase;
    if (rec.type === 'req' && rec.name === 'company' && phase === 'outage') rec.okHist = encodeHistogram(slow);
  }
  const scoped = entry('http_req_duration{name:company,phase:outage}', 'http_req_duration', 'p(95)', '<', 100, 258, 'ms', { name: 'company', phase: 'outage' });
  scoped.window = { fromMs: outage.startMs, toMs: outage.endMs };
  r.verdict = { ...r.verdict!, status: 'fail', exitCode: 99, thresholds: [...r.verdict!.thresholds.filter((t) => !t.metric.startsWith('db_') && !t.metric.startsWith('cache')), scoped] };
  return r;
}
