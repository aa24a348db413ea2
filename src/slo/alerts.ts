// The production alert rules (issue 5), evaluated over a run as "would have fired": at the end of every interval, on
// a rolling window (10 s by default) of client intervals and collector samples, with the first time each would
// have fired. Alerts annotate the verdict and the report; they change the exit code only when asked. Pure.

import { mergeEncodedSparse, WindowHistogram, type SparseHistogram } from '../metrics/sparse-histogram.ts';
import { gaugeStats, sampleTimeMs, selectSamples } from '../metrics/samples.ts';
import { SQL_METHOD } from '../metrics/aggregate.ts';
import type { AlertFinding, RequestIntervalRecord } from '../results/format.ts';
import type { RunRecords } from './evaluate.ts';

/** One alert rule: what it watches, the comparison, and its severity. */
export interface AlertRule {
  severity: AlertFinding['severity'];
  rule: string;
  description: string;
  /** `error_rate`, `p99`/`p95` of client latency (ms), or a server metric (window average; ratios sum num/den). */
  signal: 'error_rate' | 'p99' | 'p95' | { metric: string };
  operator: '>' | '<';
  limit: number;
  /** Judged once warm: its windows start after the run's last phase named `warm-up` (a cold cache is no alert). */
  afterWarmUp?: boolean;
}

/** The alert rules from our production targets. */
export const ALERT_RULES: readonly AlertRule[] = [
  { severity: 'P0', rule: 'error-rate', description: 'error rate above 5%', signal: 'error_rate', operator: '>', limit: 0.05 },
  { severity: 'P0', rule: 'latency-p99', description: 'p99 latency above 5 s', signal: 'p99', operator: '>', limit: 5000 },
  { severity: 'P1', rule: 'db-pool', description: 'database pool utilisation above 90%', signal: { metric: 'db_pool_utilization' }, operator: '>', limit: 0.9 },
  { severity: 'P1', rule: 'cache-hit', description: 'cache hit ratio below 50%', signal: { metric: 'cache_hit_ratio' }, operator: '<', limit: 0.5, afterWarmUp: true },
  { severity: 'P1', rule: 'host-memory', description: 'host memory above 85%', signal: { metric: 'host_memory_utilization' }, operator: '>', limit: 0.85 },
  { severity: 'P1', rule: 'redis-memory', description: 'Redis memory above 85%', signal: { metric: 'redis_memory_utilization' }, operator: '>', limit: 0.85 },
  { severity: 'P2', rule: 'latency-p95', description: 'p95 latency above 500 ms', signal: 'p95', operator: '>', limit: 500 },
];

/** Alert evaluation options: the rolling window, and the fewest requests a client rule needs in it. */
export interface AlertOptions {
  windowMs?: number;
  minRequests?: number;
  rules?: readonly AlertRule[];
}

interface Second {
  tMs: number;
  count: number;
  failed: number;
  hist: SparseHistogram;
}

/** Evaluates the alert rules over the run: one finding per rule, fired or not, with when and the value seen. */
export function evaluateAlerts(data: RunRecords, opts: AlertOptions = {}): AlertFinding[] {
  // intervals -> per-second totals and merged histograms; samples -> per-metric points -> sliding windows -> rules
  const windowMs = opts.windowMs ?? 10_000;
  const minRequests = opts.minRequests ?? 10;
  const byT = new Map<number, RequestIntervalRecord[]>();
  const ends = new Set<number>();
  for (const r of data.intervals) {
    ends.add(r.tMs + r.intervalMs);
    if (r.type !== 'req' || r.method === SQL_METHOD) continue;
    const list = byT.get(r.tMs);
    if (list) list.push(r);
    else byT.set(r.tMs, [r]);
  }
  const seconds: Second[] = [...byT.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([tMs, recs]) => {
      const hist = mergeEncodedSparse(recs.flatMap((r) => [r.okHist, r.failHist]));
      return { tMs, count: recs.reduce((a, r) => a + r.count, 0), failed: recs.reduce((a, r) => a + r.failed, 0), hist };
    });
  const times = [...ends].sort((a, b) => a - b);
  const client = clientWindows(seconds, times, windowMs);
  const warmMs = Math.max(0, ...data.run.phases.filter((p) => p.name === 'warm-up').map((p) => p.endMs));
  return (opts.rules ?? ALERT_RULES).map((rule) => {
    const unit = typeof rule.signal === 'string' && rule.signal !== 'error_rate' ? 'ms' : 'ratio';
    const finding: AlertFinding = { severity: rule.severity, rule: rule.rule, description: rule.description, fired: false, unit };
    const signal = typeof rule.signal === 'object' ? sampleSignal(data, rule.signal.metric) : clientSignal(rule.signal, client, minRequests);
    let worst: number | undefined;
    const startMs = rule.afterWarmUp ? warmMs : 0;
    for (const end of times) {
      if (end <= startMs) continue;
      const observed = signal(Math.max(startMs, end - windowMs), end);
      if (observed === null) continue;
      const breach = rule.operator === '>' ? observed > rule.limit : observed < rule.limit;
      if (breach) return { ...finding, fired: true, firstAtMs: end, observed: round(observed) };
      if (worst === undefined || (rule.operator === '>' ? observed > worst : observed < worst)) worst = observed;
    }
    if (worst === undefined) return { ...finding, note: 'not evaluated: no data' };
    return { ...finding, observed: round(worst) };
  });
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;

/** The items of a time-sorted list within [fromMs, toMs), found by binary search. */
function slice<T>(items: readonly T[], time: (t: T) => number, fromMs: number, toMs: number): T[] {
  const first = (ms: number) => {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (time(items[mid]) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return items.slice(first(fromMs), first(toMs));
}

/** A server signal over a window: sum(num)/sum(den) for ratios, else the mean of the samples; null without samples. */
function sampleSignal(data: RunRecords, metric: string): (fromMs: number, toMs: number) => number | null {
  const points = selectSamples(data.samples, { metric }).points;
  return (fromMs, toMs) => {
    const stats = gaugeStats(slice(points, (p) => sampleTimeMs(p.tMs), fromMs, toMs));
    if (!stats) return null;
    return points.some((p) => p.num !== undefined) ? stats.value : stats.avg;
  };
}

/** Client totals of one rolling window. */
interface ClientWindow {
  count: number;
  failed: number;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Slides the window over the seconds once, ending at each interval end: totals and latency percentiles. */
function clientWindows(seconds: Second[], times: number[], windowMs: number): Map<number, ClientWindow> {
  const out = new Map<number, ClientWindow>();
  const hist = new WindowHistogram();
  let lo = 0;
  let hi = 0;
  let count = 0;
  let failed = 0;
  for (const end of times) {
    for (; hi < seconds.length && seconds[hi].tMs < end; hi++) {
      hist.apply(seconds[hi].hist, 1);
      count += seconds[hi].count;
      failed += seconds[hi].failed;
    }
    for (; lo < hi && seconds[lo].tMs < end - windowMs; lo++) {
      hist.apply(seconds[lo].hist, -1);
      count -= seconds[lo].count;
      failed -= seconds[lo].failed;
    }
    const ms = (us: number | null) => (us === null ? null : us / 1000);
    out.set(end, { count, failed, p95Ms: ms(hist.percentileUs(95)), p99Ms: ms(hist.percentileUs(99)) });
  }
  return out;
}

/** A client signal at a window end: the error rate, or a latency percentile (ms); null under minRequests requests. */
function clientSignal(signal: 'error_rate' | 'p99' | 'p95', windows: Map<number, ClientWindow>, minRequests: number): (fromMs: number, toMs: number) => number | null {
  return (_fromMs, toMs) => {
    const w = windows.get(toMs);
    if (!w || w.count < minRequests) return null;
    if (signal === 'error_rate') return w.failed / w.count;
    return signal === 'p99' ? w.p99Ms : w.p95Ms;
  };
}
