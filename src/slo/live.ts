// Live evaluation of abortOnFail thresholds while the run goes: the engine feeds each interval's records (and the
// samples collected meanwhile); once a threshold's delayAbortEval has passed, it is evaluated on all data so far, and
// the first failure returns the reason to abort. Pure: state in the monitor, no clock (time is the data's).
//
// A threshold with no data yet does not abort (nothing has failed yet); it is checked again on the next interval.
// Client trends keep a running merged histogram, so each interval costs only its own records.

import { aggregateMetric, aggregateServer, selectRequests, trendAggregate, type Aggregate } from '../metrics/aggregate.ts';
import { mergeEncodedSparse, SparseHistogram } from '../metrics/sparse-histogram.ts';
import { metricInfo } from '../metrics/catalog.ts';
import type { IntervalRecord, SampleRecord, TimeWindow, VerdictEntry } from '../results/format.ts';
import { entryFrom, thresholdWindow, type RunRecords } from './evaluate.ts';
import type { ParsedThreshold } from './grammar.ts';
import { describeEntry } from './verdict.ts';

/** What the engine gets back from each interval: set when the run must abort, naming the threshold. */
export interface LiveResult {
  abort?: string;
  /** The failing threshold's entry, computed on the data so far. */
  entry?: VerdictEntry;
  /** The end of the data the decision was made on (ms since the start). */
  atMs?: number;
}

/** A live monitor of abortOnFail thresholds. */
export interface LiveMonitor {
  /** Feeds one interval's records and any new samples; returns an abort reason once a threshold fails. */
  onInterval(records: readonly IntervalRecord[], samples?: readonly SampleRecord[]): LiveResult;
}

/** Creates a live monitor for the abortOnFail thresholds among `parsed` (phases: run.json's, for phase tags). */
export function createLiveMonitor(parsed: readonly ParsedThreshold[], opts: { phases?: TimeWindow[] } = {}): LiveMonitor {
  const watched = parsed.filter((t) => t.abortOnFail);
  const phases = opts.phases ?? [];
  const intervals: IntervalRecord[] = [];
  const samples: SampleRecord[] = [];
  const running = new Map<ParsedThreshold, SparseHistogram>();
  let endMs = 0;
  let aborted: LiveResult | undefined;
  const clientTrend = (t: ParsedThreshold) =>
    metricInfo(t.metric)?.side === 'client' && (t.metric === 'http_req_duration' || t.metric === 'sql_query_duration');

  return {
    onInterval(records, newSamples = []) {
      if (aborted) return aborted;
      intervals.push(...records);
      samples.push(...newSamples);
      for (const r of records) endMs = Math.max(endMs, r.tMs + r.intervalMs);
      for (const s of newSamples) endMs = Math.max(endMs, s.tMs);
      const data: RunRecords = { run: { phases } as unknown as RunRecords['run'], intervals, samples };
      for (const t of watched) {
        const window = thresholdWindow(data, t, { fromMs: 0, toMs: endMs });
        let agg: Aggregate | null;
        if (clientTrend(t)) {
          let hist = running.get(t);
          if (!hist) running.set(t, (hist = new SparseHistogram()));
          const reqs = selectRequests(records, t.metric, t.tags, { fromMs: 0, toMs: Infinity });
          const ok = t.tags.expected_response !== 'false' ? reqs.map((r) => r.okHist) : [];
          const fail = t.tags.expected_response !== 'true' ? reqs.map((r) => r.failHist) : [];
          mergeEncodedSparse([...ok, ...fail], hist);
          agg = trendAggregate(hist);
        } else if (metricInfo(t.metric)?.side === 'client') {
          agg = aggregateMetric({ intervals, samples, phases }, t.metric, t.tags, window);
        } else {
          agg = aggregateServer({ intervals, samples, phases }, t.metric, t.type, t.tags, window);
        }
        if (endMs < t.delayAbortEvalMs) continue;
        const entry = entryFrom(data, t, agg, window);
        if (entry.observed === null || entry.pass) continue;
        entry.aborted = true;
        aborted = { abort: `threshold ${describeEntry(entry)} failed at ${(endMs / 1000).toFixed(0)} s (abortOnFail)`, entry, atMs: endMs };
        return aborted;
      }
      return {};
    },
  };
}
