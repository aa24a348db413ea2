// The alert rules (src/slo/alert-rules.ts) evaluated over a run as "would have fired": at the end of every interval,
// on each rule's rolling window of client intervals and collector samples, after its warm-up and within its phases,
// firing once its condition has held for its `for` duration. Alerts annotate the verdict and the report; they change
// the exit code only when asked (--fail-on-alerts). Pure.

import type { AggregateData } from '../metrics/aggregate.ts';
import { aggregateMetric } from '../metrics/aggregate.ts';
import { sampleTimeMs, type WindowMs } from '../metrics/samples.ts';
import type { AlertFinding, IntervalRecord, SampleRecord, TimeWindow } from '../results/format.ts';
import { resolveAlertRules, type AlertRule } from './alert-rules.ts';
import { sampleCount, type RunRecords } from './evaluate.ts';
import { compare } from './grammar.ts';

export { DEFAULT_ALERT_RULES, resolveAlertRules, type AlertRule, type AlertRuleSpec, type AlertOverrides } from './alert-rules.ts';

/** Alert evaluation options: the rules (default: the production rules). */
export interface AlertOptions {
  rules?: readonly AlertRule[];
}

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

/** A window narrowed to the union of every stretch of the named phases; empty when none falls in it. */
export function phasesWindow(phases: readonly TimeWindow[], names: readonly string[], w: WindowMs): WindowMs {
  const spans = phases
    .filter((p) => names.includes(p.name))
    .map((p) => ({ fromMs: Math.max(w.fromMs, p.startMs), toMs: Math.min(w.toMs, p.endMs) }))
    .filter((x) => x.toMs > x.fromMs)
    .sort((a, b) => a.fromMs - b.fromMs);
  if (spans.length === 0) return { fromMs: w.fromMs, toMs: w.fromMs };
  if (spans.length === 1) return spans[0];
  return { fromMs: spans[0].fromMs, toMs: spans[spans.length - 1].toMs, spans };
}

/** Records and samples sorted once, so each window reads only its own. */
function windowReader(data: RunRecords): (w: WindowMs) => AggregateData {
  const intervals = [...data.intervals].sort((a, b) => a.tMs - b.tMs);
  const samples = [...data.samples].sort((a, b) => sampleTimeMs(a.tMs) - sampleTimeMs(b.tMs));
  return (w) => ({
    intervals: slice<IntervalRecord>(intervals, (r) => r.tMs, w.fromMs, w.toMs),
    samples: slice<SampleRecord>(samples, (s) => sampleTimeMs(s.tMs), w.fromMs, w.toMs),
    phases: data.run.phases,
  });
}

/** Evaluates one rule at every interval end: the first time it fires, or the worst value it saw. */
function evaluateRule(rule: AlertRule, data: RunRecords, ends: readonly number[], read: (w: WindowMs) => AggregateData, loadStartMs: number): AlertFinding {
  const t = rule.threshold;
  const unit = t.unit === 'ms' ? 'ms' : 'ratio';
  const finding: AlertFinding = { severity: rule.severity, rule: rule.name, description: rule.summary, fired: false, unit };
  const worse = (a: number, b: number) => (t.operator === '<' || t.operator === '<=' ? a < b : a > b);
  let worst: number | undefined;
  let holdingSinceMs: number | undefined;
  // a rule with a warm-up also waits out the run's phases named `warm-up`: the scenario says when its cache is warm
  const warmUpPhaseEndMs = Math.max(0, ...data.run.phases.filter((p) => p.name === 'warm-up').map((p) => p.endMs));
  const warmEndMs = rule.warmupMs > 0 ? Math.max(loadStartMs + rule.warmupMs, warmUpPhaseEndMs) : loadStartMs;
  for (const end of ends) {
    if (end <= warmEndMs) continue;
    let w: WindowMs = { fromMs: Math.max(end - rule.windowMs, rule.warmupMs > 0 ? warmEndMs : 0), toMs: end };
    if (rule.phases) w = phasesWindow(data.run.phases, rule.phases, w);
    if (w.toMs <= w.fromMs) {
      holdingSinceMs = undefined;
      continue;
    }
    const agg = aggregateMetric(read(w), t.metric, t.tags, w);
    const observed = agg && agg.n > 0 && sampleCount(t, agg) >= rule.minSamples ? agg.get(t.aggregation) : null;
    if (observed === null || !Number.isFinite(observed)) continue;
    if (!compare(observed, t.operator, t.limit)) {
      holdingSinceMs = undefined;
      if (worst === undefined || worse(observed, worst)) worst = observed;
      continue;
    }
    holdingSinceMs ??= end;
    if (end - holdingSinceMs >= rule.forMs) return { ...finding, fired: true, firstAtMs: end, observed: round(observed) };
    if (worst === undefined || worse(observed, worst)) worst = observed;
  }
  if (worst === undefined) return { ...finding, note: `not evaluated: no data${noDataWhere(rule)}` };
  return { ...finding, observed: round(worst) };
}

/** Evaluates the alert rules over the run: one finding per rule, fired or not, with when and the value seen. */
export function evaluateAlerts(data: RunRecords, opts: AlertOptions = {}): AlertFinding[] {
  // interval ends -> per rule: window (rolling, after warm-up, within phases) -> aggregate -> condition held for `for`
  const ends = [...new Set(data.intervals.map((r) => r.tMs + r.intervalMs))].sort((a, b) => a - b);
  const read = windowReader(data);
  const loadStartMs = data.intervals.reduce((m, r) => Math.min(m, r.tMs), Infinity);
  return (opts.rules ?? resolveAlertRules()).map((rule) => evaluateRule(rule, data, ends, read, Number.isFinite(loadStartMs) ? loadStartMs : 0));
}

/** Where a rule looked for data, for its "no data" note: " after its 30 s warm-up in phase steady". */
function noDataWhere(rule: AlertRule): string {
  const warm = rule.warmupMs > 0 ? ` after its ${rule.warmupMs / 1000} s warm-up` : '';
  const phases = rule.phases ? ` in phase ${rule.phases.join(', ')}` : '';
  return `${warm}${phases}`;
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;
