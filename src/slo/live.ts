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
import { entryFrom, type RunRecords } from './evaluate.ts';
import { thresholdWindow } from '../metrics/windows.ts';
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

/** Per-threshold state: only the records and samples it can read, and a running histogram for client trends. */
interface Watch {
  t: ParsedThreshold;
  client: boolean;
  trend: boolean;
  records: IntervalRecord[];
  samples: SampleRecord[];
  hist: SparseHistogram;
}

/** Creates a live monitor for the abortOnFail thresholds among `parsed` (phases: run.json's, for phase tags). */
export function createLiveMonitor(parsed: readonly ParsedThreshold[], opts: { phases?: TimeWindow[] } = {}): LiveMonitor {
  // each interval: keep what each threshold reads -> aggregate on the data so far -> first failure past its delay
  const phases = opts.phases ?? [];
  const watches: Watch[] = parsed
    .filter((t) => t.abortOnFail)
    .map((t) => {
      const client = metricInfo(t.metric)?.side === 'client';
      return { t, client, trend: client && (t.metric === 'http_req_duration' || t.metric === 'sql_query_duration'), records: [], samples: [], hist: new SparseHistogram() };
    });
  const run = { phases } as unknown as RunRecords['run'];
  const all = { fromMs: 0, toMs: Infinity };
  let endMs = 0;
  let aborted: LiveResult | undefined;

  return {
    onInterval(records, newSamples = []) {
      if (aborted) return aborted;
      for (const r of records) endMs = Math.max(endMs, r.tMs + r.intervalMs);
      for (const s of newSamples) endMs = Math.max(endMs, s.tMs);
      for (const w of watches) {
        const { t } = w;
        if (w.trend) {
          const reqs = selectRequests(records, t.metric, t.tags, all);
          const ok = t.tags.expected_response !== 'false' ? reqs.map((r) => r.okHist) : [];
          const fail = t.tags.expected_response !== 'true' ? reqs.map((r) => r.failHist) : [];
          mergeEncodedSparse([...ok, ...fail], w.hist);
        } else if (w.client) {
          w.records.push(...records.filter((r) => r.type === 'tick' || selectRequests([r], t.metric, t.tags, all).length > 0));
        } else {
          w.samples.push(...newSamples.filter((s) => s.metric === t.metric));
        }
      }
      for (const w of watches) {
        const { t } = w;
        if (endMs < t.delayAbortEvalMs) continue;
        const data: RunRecords = { run, intervals: w.records, samples: w.samples };
        const window = thresholdWindow(data, t, { fromMs: 0, toMs: endMs });
        let agg: Aggregate | null;
        if (w.trend) agg = trendAggregate(w.hist);
        else if (w.client) agg = aggregateMetric({ intervals: w.records, samples: [], phases }, t.metric, t.tags, window);
        else agg = aggregateServer({ intervals: [], samples: w.samples, phases }, t.metric, t.type, t.tags, window);
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
