// The report model: everything the charts, the narrative and the page need, computed once from a run's data.

import type { RunData } from '../results/format.ts';
import type { RunJson, SummaryJson, VerdictJson } from '../results/format.ts';
import { bandsOf, clientSeries, type Band, type ClientSeries } from './series.ts';
import { serverSeries, type ServerSeries } from './server-series.ts';
import { collectorGaps, type CollectorGap } from './collector-gaps.ts';
import type { ProfileSummary } from '../profile/types.ts';
import { compareAlerts, scrapeSentences, type AlertAgreement } from '../slo/prometheus-alerts.ts';
import { recoveryViews, type RecoveryView } from './recovery-section.ts';

/** The banner status; `not-evaluated` when there is no verdict.json and the run did not end abnormally. */
export type BannerStatus = 'pass' | 'fail' | 'invalid' | 'interrupted' | 'aborted' | 'no-thresholds' | 'not-evaluated';

/** The report's input, derived from one run directory. */
export interface ReportModel {
  run: RunJson;
  verdict?: VerdictJson;
  summary?: SummaryJson;
  status: BannerStatus;
  client: ClientSeries;
  server: ServerSeries;
  bands: Band[];
  /** Collectors that missed readings, worst first. */
  collectorGaps: CollectorGap[];
  /** The profile's summary, when the run was profiled. */
  profile?: ProfileSummary;
  /** What fired in the lab's Prometheus beside perfgate's findings, when the run had one. */
  prometheus?: PrometheusView;
  /** The recovery drills the run held (empty for most runs). */
  recovery?: RecoveryView[];
}

/** The report's view of prometheus-alerts.json: one row per rule, the scrape lines, and why it is incomplete. */
export interface PrometheusView {
  rows: AlertAgreement[];
  scrapes: string[];
  error?: string;
}

/** The banner status of a run: the verdict's, or the run's abnormal end, never PASS without a verdict. */
export function bannerStatus(run: RunJson, verdict: VerdictJson | undefined): BannerStatus {
  if (verdict) return verdict.status;
  if (run.status === 'interrupted' || run.status === 'aborted' || run.status === 'invalid') return run.status;
  return 'not-evaluated';
}

/**
 * A report's input: a run directory's records, its interval records either as read (`intervals`) or already
 * reduced to the client series (`client`, built while streaming them).
 */
export type ReportInput = Pick<RunData, 'run' | 'samples' | 'summary' | 'verdict'> & Pick<Partial<RunData>, 'profile' | 'prometheus'> & ({ intervals: RunData['intervals']; client?: undefined } | { client: ClientSeries; intervals?: undefined });

/** Builds the report model from a run directory's records. */
export function buildModel(data: ReportInput): ReportModel {
  const client = data.client ?? clientSeries(data.intervals, data.run.durationMs ?? 0);
  return {
    run: data.run,
    verdict: data.verdict,
    summary: data.summary,
    status: bannerStatus(data.run, data.verdict),
    client,
    server: serverSeries(data.samples, client.bucketMs),
    bands: bandsOf(data.run),
    collectorGaps: collectorGaps(data.samples),
    recovery: recoveryViews(data.samples),
    ...(data.profile ? { profile: data.profile } : {}),
    ...(data.prometheus ? { prometheus: { rows: compareAlerts(data.verdict?.alerts ?? [], data.prometheus), scrapes: scrapeSentences(data.prometheus), ...(data.prometheus.error ? { error: data.prometheus.error } : {}) } } : {}),
  };
}
