// The SLO gate's pure core: a run's records in, the verdict and summary.json out. The thresholds are the run's own
// (run.json's config) or an override; the alerts and the capacity search come from the config too.

import { scenarioTagNames } from '../metrics/scenario-tags.ts';
import type { IntervalRecord, RunJson, SampleRecord, SummaryJson, VerdictJson } from '../results/format.ts';
import { buildSummary } from '../results/summary.ts';
import { evaluateAlerts } from './alerts.ts';
import { resolveAlertRules, type AlertOverrides } from './alert-rules.ts';
import { evaluateThresholds } from './evaluate.ts';
import { parseThresholds, type ParsedThreshold, type ThresholdInput } from './grammar.ts';
import { buildVerdict } from './verdict.ts';
import { findCapacity } from './capacity.ts';
import { evaluateBurnRates } from './burn-rate.ts';
import { errorBudget } from './prometheus-rules.ts';
import { slos } from '../../scenarios/slos.ts';

/** Options of the gate: thresholds replacing the run's own, and whether fired alerts fail the run. */
export interface GateOptions {
  thresholds?: Record<string, ThresholdInput[]>;
  failOnAlerts?: boolean;
}

/** Everything the gate computes from a run's records. */
export interface GateResult {
  parsed: ParsedThreshold[];
  verdict: VerdictJson;
  summary: SummaryJson;
}

/** The thresholds stored in run.json's config (the scenario as run), or undefined. */
export function runThresholds(run: RunJson): Record<string, ThresholdInput[]> | undefined {
  const config = run.config as { thresholds?: Record<string, ThresholdInput[]> } | null | undefined;
  return config && typeof config === 'object' ? config.thresholds : undefined;
}

/** The scenario's alert-rule overrides stored in run.json's config, or undefined. */
export function runAlertOverrides(run: RunJson): AlertOverrides | undefined {
  const config = run.config as { alerts?: AlertOverrides } | null | undefined;
  return config && typeof config === 'object' ? config.alerts : undefined;
}

/** The capacity SLOs stored in run.json's config (ramps whose breaking point is searched), or undefined. */
export function runCapacitySlos(run: RunJson): Record<string, ThresholdInput[]> | undefined {
  const config = run.config as { capacity?: Record<string, ThresholdInput[]> } | null | undefined;
  return config && typeof config === 'object' ? config.capacity : undefined;
}

/** Every request of a run (HTTP and SQL steps) and how many failed. */
export function requestTotals(intervals: readonly IntervalRecord[]): { total: number; failed: number } {
  let total = 0;
  let failed = 0;
  for (const r of intervals) {
    if (r.type !== 'req') continue;
    total += r.count;
    failed += r.failed;
  }
  return { total, failed };
}

/** Pure core: parses the thresholds (the override or run.json's), evaluates them and the alerts, builds verdict and summary. */
export function evaluateRunData(data: { run: RunJson; intervals: IntervalRecord[]; samples: SampleRecord[] }, opts: GateOptions = {}): GateResult {
  // thresholds -> parse -> evaluate + alerts and burn rates (+ capacity of a ramp) -> verdict -> summary (thresholds ok from the verdict)
  const custom = scenarioTagNames(data.run.config);
  const parsed = parseThresholds(opts.thresholds ?? runThresholds(data.run), opts.thresholds ? 'invalid thresholds file' : 'invalid thresholds in run.json', custom);
  const entries = evaluateThresholds(data, parsed, { abortedBy: data.run.abortedBy });
  const alerts = evaluateAlerts(data, { rules: resolveAlertRules(runAlertOverrides(data.run), 'invalid alert rules in run.json') });
  // the error budget's burn-rate pairs, as the exported rules have them (the catalogue's availability SLO)
  const budget = errorBudget(slos);
  if (budget !== undefined) alerts.push(...evaluateBurnRates(data.intervals, budget));
  const capacitySlos = runCapacitySlos(data.run);
  const capacity = capacitySlos ? findCapacity(data, parseThresholds(capacitySlos, 'invalid capacity SLOs in run.json', custom)) : undefined;
  const verdict = buildVerdict(data.run, entries, alerts, { failOnAlerts: opts.failOnAlerts, capacity, requests: requestTotals(data.intervals) });
  return { parsed, verdict, summary: buildSummary(data, verdict) };
}
