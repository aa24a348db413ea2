// The multi-window multi-burn-rate alerts on the availability error budget (SRE workbook, chapter 5), judged on a
// run as the exported rules judge them in Prometheus (src/slo/prometheus-rules.ts, BURN_RATE_ALERTS): at every
// interval end, the error ratio of HTTP requests over the long and over the short window, both above factor x
// budget, held for the pair's `for`. A window reaches back at most to the run's start, as Prometheus' rate over
// a range reads only the samples it has. Pure.

import type { AlertFinding, IntervalRecord } from '../results/format.ts';
import { SQL_METHOD } from '../metrics/aggregate.ts';
import { parseDurationMs } from '../scenario/duration.ts';
import { BURN_RATE_ALERTS } from './prometheus-rules.ts';

/** One burn-rate pair: the windows, the factor, the severity and how long both must hold. */
export type BurnRatePair = (typeof BURN_RATE_ALERTS)[number];

/** Cumulative HTTP request and failure counts by interval start, for window sums by binary search. */
function cumulative(intervals: readonly IntervalRecord[]): { times: number[]; count: number[]; failed: number[] } {
  const reqs = intervals.filter((r) => r.type === 'req' && r.method !== SQL_METHOD).sort((a, b) => a.tMs - b.tMs) as Array<Extract<IntervalRecord, { type: 'req' }>>;
  const times: number[] = [];
  const count = [0];
  const failed = [0];
  for (const r of reqs) {
    times.push(r.tMs);
    count.push(count[count.length - 1] + r.count);
    failed.push(failed[failed.length - 1] + r.failed);
  }
  return { times, count, failed };
}

/** The index of the first time >= ms. */
function lowerBound(times: readonly number[], ms: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The summary of a pair, as the exported rule's. */
export function burnRateSummary(pair: BurnRatePair, budget: number): string {
  return `error budget of the ${+((1 - budget) * 100).toFixed(4)}% availability SLO burning ${pair.factor}x (${pair.long} and ${pair.short} windows)`;
}

/** Evaluates the burn-rate pairs over the run: one finding per pair (`error-budget-burn-fast`, `-slow`). */
export function evaluateBurnRates(intervals: readonly IntervalRecord[], budget: number, pairs: readonly BurnRatePair[] = BURN_RATE_ALERTS): AlertFinding[] {
  // cumulative counts -> per interval end: ratio over [end - long, end) and [end - short, end) -> both above factor x budget, held for `for`
  const c = cumulative(intervals);
  const ends = [...new Set(intervals.map((r) => r.tMs + r.intervalMs))].sort((a, b) => a - b);
  const ratio = (fromMs: number, toMs: number): number | null => {
    const i = lowerBound(c.times, fromMs);
    const j = lowerBound(c.times, toMs);
    const n = c.count[j] - c.count[i];
    return n > 0 ? (c.failed[j] - c.failed[i]) / n : null;
  };
  return pairs.map((pair) => {
    const limit = +(pair.factor * budget).toPrecision(6);
    const longMs = parseDurationMs(pair.long, 'long');
    const shortMs = parseDurationMs(pair.short, 'short');
    const forMs = parseDurationMs(pair.for, 'for');
    const finding: AlertFinding = { severity: pair.severity, rule: `error-budget-burn-${pair.name}`, description: burnRateSummary(pair, budget), fired: false, unit: 'ratio' };
    let worst: number | undefined;
    let holdingSinceMs: number | undefined;
    for (const end of ends) {
      const long = ratio(end - longMs, end);
      const short = ratio(end - shortMs, end);
      if (long === null || short === null) continue;
      const both = Math.min(long, short);
      if (worst === undefined || both > worst) worst = both;
      if (both <= limit) {
        holdingSinceMs = undefined;
        continue;
      }
      holdingSinceMs ??= end;
      if (end - holdingSinceMs >= forMs) return { ...finding, fired: true, firstAtMs: end, observed: round(both) };
    }
    return worst === undefined ? { ...finding, note: 'not evaluated: no data' } : { ...finding, observed: round(worst) };
  });
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;
