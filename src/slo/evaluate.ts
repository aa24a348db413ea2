// Evaluates parsed thresholds on a run's records: one VerdictEntry per threshold, with the observed value, pass or
// fail, the margin to the limit and the window it was computed over. Pure.
//
// No-data policy: a threshold on nothing never passes. Client metrics with no observation fail with note "no data".
// Server metrics fail too, with a note telling why: no sample of the metric at all (its collector was not enabled,
// or never produced it), every sample in the window a gap (the collector failed), or no sample in the window/filter.

import { aggregateMetric, type Aggregate, type AggregateData } from '../metrics/aggregate.ts';
import { metricInfo } from '../metrics/catalog.ts';
import type { WindowMs } from '../metrics/samples.ts';
import { runWindow, thresholdWindow } from '../metrics/windows.ts';
import type { IntervalRecord, RunJson, SampleRecord, VerdictEntry } from '../results/format.ts';
import { compare, type ParsedThreshold } from './grammar.ts';
import { isFewSamples, minSamplesForPercentile, percentileOfAggregation } from './sample-size.ts';

/** A run's records, as evaluation reads them. */
export interface RunRecords {
  run: RunJson;
  intervals: readonly IntervalRecord[];
  samples: readonly SampleRecord[];
}

/** Evaluation options: the window (default: the whole run), and the threshold that aborted the run if any. */
export interface EvaluateOptions {
  window?: WindowMs;
  abortedBy?: { key: string; expression: string; atMs?: number };
}

const tidy = (v: number): number => Math.round(v * 1e9) / 1e9;

/** Margin to the limit in the metric's unit, positive when passing (== and != measure the distance). */
export function marginOf(observed: number, operator: VerdictEntry['operator'], limit: number): number {
  switch (operator) {
    case '<':
    case '<=':
      return tidy(limit - observed);
    case '>':
    case '>=':
      return tidy(observed - limit);
    case '==':
      return -tidy(Math.abs(observed - limit));
    case '!=':
      return tidy(Math.abs(observed - limit));
  }
}

/** Why a server metric has no data, in one sentence. */
function serverNoDataNote(data: RunRecords, metric: string, agg: Aggregate | null): string {
  if (agg && agg.gaps > 0) return `no data: all ${agg.gaps} samples in the window were gaps (the collector failed)`;
  if (!data.samples.some((s) => s.metric === metric)) {
    return `no data: no collector produced ${metric} (is its collector enabled?)`;
  }
  return 'no data: no sample matched the window and tag filters';
}

/** Client counters whose count is itself the number of observations (requests, iterations). */
const COUNTED = new Set(['http_reqs', 'iterations', 'dropped_iterations']);

/** The observations behind an aggregate (see VerdictEntry.samples). */
export function sampleCount(t: Pick<ParsedThreshold, 'metric'>, agg: Aggregate | null): number {
  if (!agg) return 0;
  if (COUNTED.has(t.metric) && metricInfo(t.metric)?.side === 'client') return agg.n > 0 ? (agg.get({ kind: 'count' }) ?? 0) : 0;
  return agg.n;
}

/** The "few samples" mark of a percentile threshold, or undefined (src/slo/sample-size.ts). */
export function fewSamplesOf(t: Pick<ParsedThreshold, 'aggregationName'>, samples: number): { minSamples: number } | undefined {
  const p = percentileOfAggregation(t.aggregationName);
  return p !== undefined && isFewSamples(samples, p) ? { minSamples: minSamplesForPercentile(p) } : undefined;
}

/** Builds the verdict entry of one threshold from its aggregate. */
export function entryFrom(data: RunRecords, t: ParsedThreshold, agg: Aggregate | null, window: WindowMs): VerdictEntry {
  const observed = agg && agg.n > 0 ? agg.get(t.aggregation) : null;
  const samples = sampleCount(t, agg);
  const few = samples > 0 ? fewSamplesOf(t, samples) : undefined;
  const base = {
    key: t.key, metric: t.metric, tags: t.tags, expression: t.expression, aggregation: t.aggregationName,
    operator: t.operator, limit: t.limit, unit: t.unit, window, abortOnFail: t.abortOnFail, samples, ...(few ? { fewSamples: few } : {}),
  };
  if (observed === null || !Number.isFinite(observed)) {
    const side = metricInfo(t.metric)?.side;
    return { ...base, observed: null, pass: false, margin: null, marginPct: null, note: side === 'client' ? 'no data' : serverNoDataNote(data, t.metric, agg) };
  }
  const pass = compare(observed, t.operator, t.limit);
  const margin = marginOf(observed, t.operator, t.limit);
  const notes = [agg?.note, agg && agg.gaps > 0 ? `${agg.gaps} samples missing (collector gaps)` : undefined].filter(Boolean);
  return {
    ...base, observed: tidy(observed), pass, margin,
    marginPct: t.limit === 0 ? null : tidy((margin / Math.abs(t.limit)) * 100),
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}

/** Evaluates every parsed threshold over the run (or opts.window); one entry per threshold, in order. */
export function evaluateThresholds(data: RunRecords, parsed: readonly ParsedThreshold[], opts: EvaluateOptions = {}): VerdictEntry[] {
  const whole = opts.window ?? runWindow(data);
  const aggData: AggregateData = { intervals: data.intervals, samples: data.samples, phases: data.run.phases };
  return parsed.map((t) => {
    const window = thresholdWindow(data, t, whole);
    const entry = entryFrom(data, t, aggregateMetric(aggData, t.metric, t.tags, window), window);
    const by = opts.abortedBy;
    if (by && by.key === t.key && by.expression === t.expression) {
      entry.aborted = true;
      if (by.atMs !== undefined) entry.abortedAtMs = by.atMs;
    }
    return entry;
  });
}
