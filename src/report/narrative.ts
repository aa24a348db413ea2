// Plain sentences for the report: the banner sentence, and cause sentences where the data shows one
// ("p95 crossed 200 ms at 01:02, when pool utilisation reached 100% and 40 clients were waiting").

import type { VerdictEntry } from '../results/format.ts';
import type { ReportModel } from './model.ts';
import type { ServerRow } from './server-series.ts';
import { breaches, normalAggregation, thresholdsFor } from './specs/common.ts';
import { clock, describeLoad, fmtPct, fmtRate, fmtUnit } from './format-values.ts';

/** The banner's headline word for each status. */
export const STATUS_WORD: Record<ReportModel['status'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  invalid: 'INVALID',
  interrupted: 'INTERRUPTED',
  aborted: 'ABORTED',
  'no-thresholds': 'NO THRESHOLDS',
  'not-evaluated': 'NOT EVALUATED',
};

/** The load in words (describeLoad): "up to 50 VUs (ramping-vus)". */
export function loadWords(m: ReportModel): string {
  return describeLoad(m.run.load);
}

/** The failed threshold with the largest breach, by margin in percent of its limit. */
export function worstBreach(entries: VerdictEntry[]): VerdictEntry | undefined {
  const failed = entries.filter((t) => !t.pass);
  const score = (t: VerdictEntry): number => (t.marginPct === null ? Number.NEGATIVE_INFINITY : -t.marginPct);
  return failed.sort((a, b) => score(b) - score(a))[0];
}

/** One threshold in words: "http_req_duration p(95) was 340 ms against < 200 ms (70% over)". */
export function thresholdWords(t: VerdictEntry): string {
  const observed = t.observed === null ? 'had no data' : `was ${fmtUnit(t.observed, t.unit)}`;
  const over = t.marginPct !== null && !t.pass ? ` (${Math.abs(Math.round(t.marginPct))}% past the limit)` : '';
  return `${t.key} ${t.aggregation} ${observed} against ${t.operator} ${fmtUnit(t.limit, t.unit)}${over}`;
}

/** The banner sentence: scenario, load, duration, how many SLOs were met, and the worst breach. */
export function bannerSentence(m: ReportModel): string {
  const run = m.run;
  const durationMs = run.durationMs ?? m.client.totals.durationMs;
  const parts: string[] = [`${run.scenario} (${run.profile} profile), ${loadWords(m)} for ${clock(durationMs)}`];
  if (run.status === 'interrupted' || run.status === 'aborted') parts[0] += ` of ${clock(run.plannedDurationMs)} planned`;
  const entries = m.verdict?.thresholds ?? [];
  let sentence = `${parts[0]}.`;
  if (!m.verdict) sentence += ' The SLOs were not evaluated (no verdict.json).';
  else if (entries.length === 0) sentence += ' No SLO thresholds were defined.';
  else {
    const met = entries.filter((t) => t.pass).length;
    const partial = m.status === 'interrupted' || m.status === 'aborted' || m.status === 'invalid';
    sentence += partial ? ` ${met} of ${entries.length} SLOs held over the partial results, which cannot pass the run.` : ` ${met} of ${entries.length} SLOs met.`;
    const worst = worstBreach(entries);
    if (worst) sentence += ` Worst breach: ${thresholdWords(worst)}.`;
  }
  const reason = m.verdict?.reason ?? run.statusReason;
  if (reason && m.status !== 'pass' && m.status !== 'fail') sentence += ` ${reason.endsWith('.') ? reason : `${reason}.`}`;
  const capacity = m.verdict?.capacity ?? m.summary?.capacity;
  if (capacity?.sentence) sentence += ` ${capacity.sentence}`;
  return sentence;
}

/** The value of a server series near a time: the max (or min) over the bucket before through the bucket after. */
function near(rows: ServerRow[], tMs: number, bucketMs: number, pick: 'max' | 'min'): number | undefined {
  let out: number | undefined;
  for (const r of rows) {
    if (r.tMs < tMs - bucketMs || r.tMs > tMs + bucketMs) continue;
    if (out === undefined || (pick === 'max' ? r.value > out : r.value < out)) out = r.value;
  }
  return out;
}

/** What the server side looked like at a moment, in words ("pool utilisation reached 100% and 40 clients were waiting"). */
export function conditionsAt(m: ReportModel, tMs: number): string[] {
  const b = m.client.bucketMs;
  const s = m.server;
  const out: string[] = [];
  const pool = near(s.poolUtilization, tMs, b, 'max');
  if (pool !== undefined && pool >= 0.85) out.push(`pool utilisation reached ${fmtPct(pool)}`);
  const waiting = near(s.poolWaiting, tMs, b, 'max');
  if (waiting !== undefined && waiting >= 1) out.push(`${Math.round(waiting)} client${Math.round(waiting) === 1 ? ' was' : 's were'} waiting for a connection`);
  const cacheLimit = thresholdsFor(m.verdict, 'cache_hit_ratio')[0]?.limit ?? 0.5;
  const cache = near(s.cacheHitRatio, tMs, b, 'min');
  if (cache !== undefined && cache < cacheLimit) out.push(`the cache hit ratio fell to ${fmtPct(cache)}`);
  const query = near(s.queryP95, tMs, b, 'max');
  const queryLimit = thresholdsFor(m.verdict, 'db_query_duration')[0]?.limit;
  if (query !== undefined && queryLimit !== undefined && query > queryLimit) out.push(`query p95 was ${fmtUnit(query, 'ms')}`);
  const cpu = near(s.hostCpu, tMs, b, 'max');
  if (cpu !== undefined && cpu >= 0.9) out.push(`host CPU was at ${fmtPct(cpu)}`);
  const mem = near(s.redisMemory, tMs, b, 'max');
  if (mem !== undefined && mem >= 0.9) out.push(`Redis memory was at ${fmtPct(mem)}`);
  const fault = m.bands.find((x) => x.kind === 'fault' && tMs >= x.startMs - b && tMs <= x.endMs);
  if (fault) out.push(`the fault "${fault.name}" was active`);
  return out;
}

function joinWords(list: string[]): string {
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

/** What a metric measures, in words, for the sentences of failed thresholds. */
const METRIC_WORDS: Record<string, string> = {
  http_req_duration: 'latency',
  http_req_failed: 'error rate',
  checks: 'check pass rate',
  db_pool_utilization: 'database pool utilisation',
  db_pool_waiting: 'clients waiting for a database connection',
  db_query_duration: 'database query latency',
  cache_hit_ratio: 'cache hit ratio',
  redis_memory_utilization: 'Redis memory use',
  host_cpu_utilization: 'host CPU',
  service_cpu_utilization: 'service CPU',
};

const OPERATOR_WORDS: Record<VerdictEntry['operator'], string> = { '<': 'below', '<=': 'at most', '>': 'above', '>=': 'at least', '==': 'exactly', '!=': 'other than' };

/**
 * A failed threshold in plain words: "The p95 latency of company requests during outage was 258 ms; the SLO asks for
 * below 100 ms (158% past it)."
 */
export function failedThresholdSentence(t: VerdictEntry): string {
  const agg = normalAggregation(t.aggregation);
  const stat = /^p\(/.test(agg) ? `${agg.replace(/^p\((.+)\)$/, 'p$1')} ` : ['rate', 'value'].includes(agg) ? '' : `${agg} `;
  const what = `${stat}${METRIC_WORDS[t.metric] ?? t.metric}`;
  const extra = Object.entries(t.tags ?? {}).filter(([k]) => k !== 'name' && k !== 'phase').map(([k, v]) => `${k} ${v}`);
  const of = t.tags?.name !== undefined ? ` of ${t.tags.name} requests` : extra.length > 0 ? '' : t.metric.startsWith('http_') ? ' over all requests' : '';
  const scope = `${of}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}${t.tags?.phase !== undefined ? ` during ${t.tags.phase}` : ''}`;
  const observed = t.observed === null ? 'had no data' : `was ${fmtUnit(t.observed, t.unit)}`;
  const past = t.marginPct !== null && t.observed !== null ? ` (${fmtPct(Math.abs(t.marginPct) / 100)} past it)` : '';
  return `The ${what}${scope} ${observed}; the SLO asks for ${OPERATOR_WORDS[t.operator]} ${fmtUnit(t.limit, t.unit)}${past}.${t.aborted ? ' It aborted the run.' : ''}`;
}

/** Sentences for every failed threshold, worst breach first. */
export function failedThresholdSentences(m: ReportModel): string[] {
  const failed = (m.verdict?.thresholds ?? []).filter((t) => !t.pass);
  const score = (t: VerdictEntry): number => (t.marginPct === null ? Number.POSITIVE_INFINITY : -t.marginPct);
  return [...failed].sort((a, b) => score(b) - score(a)).map(failedThresholdSentence);
}

/** Cause sentences: when each latency and error SLO was first crossed, and what the server showed then. */
export function causeSentences(m: ReportModel): string[] {
  const out: string[] = [];
  const latency = thresholdsFor(m.verdict, 'http_req_duration')
    .filter((t) => ['p(95)', 'p(99)', 'p(50)'].includes(normalAggregation(t.aggregation)))
    .sort((a, b) => a.aggregation.localeCompare(b.aggregation));
  for (const t of latency) {
    const series = { 'p(50)': 'p50', 'p(95)': 'p95', 'p(99)': 'p99' }[normalAggregation(t.aggregation)];
    const first = m.client.latency.find((r) => r.series === series && breaches(t, r.valueMs));
    if (!first) continue;
    const cond = conditionsAt(m, first.tMs);
    const base = `${series} crossed ${fmtUnit(t.limit, 'ms')} at ${clock(first.tMs)}`;
    out.push(cond.length > 0 ? `${base}, when ${joinWords(cond)}.` : `${base}; the server metrics show no saturation at that moment.`);
  }
  for (const t of thresholdsFor(m.verdict, 'http_req_failed')) {
    const first = m.client.throughput.find((r) => breaches(t, r.errorRate) && r.reqPerS > 0);
    if (!first) continue;
    const cond = conditionsAt(m, first.tMs);
    const base = `The error rate rose past ${fmtPct(t.limit)} at ${clock(first.tMs)}`;
    out.push(cond.length > 0 ? `${base}, when ${joinWords(cond)}.` : `${base}.`);
  }
  for (const a of m.verdict?.alerts ?? []) {
    if (a.fired && a.firstAtMs !== undefined) out.push(`Alert ${a.severity} "${a.rule}" would have fired at ${clock(a.firstAtMs)}.`);
  }
  return out;
}
