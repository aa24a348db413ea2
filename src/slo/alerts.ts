// The production alert rules (issue 5), evaluated over a run as "would have fired": at the end of every interval, on
// a rolling window (10 s by default) of client intervals and collector samples, with the first time each would
// have fired. Alerts annotate the verdict and the report; they change the exit code only when asked. Pure.

import { mergeEncodedSparse, SparseHistogram } from '../metrics/sparse-histogram.ts';
import { gaugeStats, selectSamples } from '../metrics/samples.ts';
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
}

/** The alert rules from our production targets. */
export const ALERT_RULES: readonly AlertRule[] = [
  { severity: 'P0', rule: 'error-rate', description: 'error rate above 5%', signal: 'error_rate', operator: '>', limit: 0.05 },
  { severity: 'P0', rule: 'latency-p99', description: 'p99 latency above 5 s', signal: 'p99', operator: '>', limit: 5000 },
  { severity: 'P1', rule: 'db-pool', description: 'database pool utilisation above 90%', signal: { metric: 'db_pool_utilization' }, operator: '>', limit: 0.9 },
  { severity: 'P1', rule: 'cache-hit', description: 'cache hit ratio below 50%', signal: { metric: 'cache_hit_ratio' }, operator: '<', limit: 0.5 },
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
  // intervals -> per-second client totals and merged histograms -> rolling windows at each interval end -> rules
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
  return (opts.rules ?? ALERT_RULES).map((rule) => {
    const unit = typeof rule.signal === 'string' && rule.signal !== 'error_rate' ? 'ms' : 'ratio';
    const finding: AlertFinding = { severity: rule.severity, rule: rule.rule, description: rule.description, fired: false, unit };
    let worst: number | undefined;
    for (const end of times) {
      const observed = observe(rule, data, seconds, end - windowMs, end, minRequests);
      if (observed === null) continue;
      const breach = rule.operator === '>' ? observed > rule.limit : observed < rule.limit;
      if (breach) {
        return { ...finding, fired: true, firstAtMs: end, observed: round(observed) };
      }
      if (worst === undefined || (rule.operator === '>' ? observed > worst : observed < worst)) worst = observed;
    }
    if (worst === undefined) return { ...finding, note: 'not evaluated: no data' };
    return { ...finding, observed: round(worst) };
  });
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;

/** The rule's signal over [fromMs, toMs), or null when there is not enough data. */
function observe(rule: AlertRule, data: RunRecords, seconds: Second[], fromMs: number, toMs: number, minRequests: number): number | null {
  if (typeof rule.signal === 'object') {
    const sel = selectSamples(data.samples, { metric: rule.signal.metric, window: { fromMs, toMs } });
    const stats = gaugeStats(sel.points);
    if (!stats) return null;
    return sel.points.some((p) => p.num !== undefined) ? stats.value : stats.avg;
  }
  const inWindow = seconds.filter((s) => s.tMs >= fromMs && s.tMs < toMs);
  const count = inWindow.reduce((a, s) => a + s.count, 0);
  if (count < minRequests) return null;
  if (rule.signal === 'error_rate') return inWindow.reduce((a, s) => a + s.failed, 0) / count;
  const pct = rule.signal === 'p99' ? 99 : 95;
  const hist = new SparseHistogram();
  for (const s of inWindow) hist.merge(s.hist);
  const us = hist.percentileUs(pct);
  return us === null ? null : us / 1000;
}
