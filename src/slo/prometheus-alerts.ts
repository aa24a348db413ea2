// What a real Prometheus saw during a run (the lab's, `lab: { prometheus: true }`), beside perfgate's own "would have
// fired": the alerts that fired in it and when (from ALERTS over the run), how evenly it scraped the harness and the
// target, and the comparison with perfgate's alert findings, each disagreement said plainly. Pure: the HTTP API's
// answers in, the record of prometheus-alerts.json and sentences out.

import type { AlertFinding } from '../results/format.ts';
import { clock } from '../report/format-values.ts';
import { alertName } from './prometheus-rules.ts';

/** The file in the run directory. */
export const PROMETHEUS_ALERTS_FILE = 'prometheus-alerts.json';

/** A stretch of time, ms from the run's start. */
export interface Stretch {
  startMs: number;
  endMs: number;
}

/** One alert as Prometheus evaluated it during the run. */
export interface PrometheusAlert {
  /** The alert's name (`PerfgateCacheHit`). */
  alert: string;
  /** The perfgate rule it was exported from (its `rule` label), when it has one. */
  rule?: string;
  severity?: string;
  /** First evaluation at which it was pending, ms from the run's start. */
  firstPendingMs?: number;
  /** First evaluation at which it was firing, ms from the run's start. */
  firstFiringMs?: number;
  /** The stretches it was firing. */
  firing: Stretch[];
}

/** How evenly one job was scraped over the run. */
export interface ScrapeCoverage {
  job: string;
  /** Successful scrapes within the run. */
  scrapes: number;
  /** Failed scrapes (up == 0) within the run. */
  failed: number;
  /** The longest stretch without a successful scrape, the run's start and end counting as edges. */
  maxGapMs: number;
  /** Where that stretch began, ms from the run's start. */
  maxGapAtMs: number;
  /** The scrape interval it was configured with. */
  intervalMs: number;
}

/** prometheus-alerts.json: what the lab's Prometheus saw during the run. */
export interface PrometheusAlertsJson {
  version: 1;
  scrapeIntervalMs: number;
  evaluationIntervalMs: number;
  /** The range read, ms from the run's start. */
  fromMs: number;
  toMs: number;
  alerts: PrometheusAlert[];
  scrapes: ScrapeCoverage[];
  /** Why the read-back is incomplete, when it is. */
  error?: string;
}

/** One series of a range query's matrix, as the HTTP API returns it (timestamps in Unix seconds). */
export interface MatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

/** Run-relative ms of a Prometheus timestamp (Unix seconds). */
const relMs = (ts: number, t0EpochMs: number): number => Math.round(ts * 1000 - t0EpochMs);

/** Joins sorted instants into stretches: instants at most 1.5 steps apart belong to one stretch. */
export function stretchesOf(instantsMs: readonly number[], stepMs: number): Stretch[] {
  const out: Stretch[] = [];
  for (const t of [...instantsMs].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && t - last.endMs <= stepMs * 1.5) last.endMs = t;
    else out.push({ startMs: t, endMs: t });
  }
  return out;
}

/** The alerts of `ALERTS{alertstate="firing"}` and `...="pending"` range queries, by alert name. */
export function alertsFromMatrix(firing: readonly MatrixSeries[], pending: readonly MatrixSeries[], t0EpochMs: number, stepMs: number): PrometheusAlert[] {
  const byName = new Map<string, PrometheusAlert & { instants: number[] }>();
  const entry = (s: MatrixSeries) => {
    const name = s.metric.alertname ?? '?';
    let a = byName.get(name);
    if (!a) byName.set(name, (a = { alert: name, ...(s.metric.rule ? { rule: s.metric.rule } : {}), ...(s.metric.severity ? { severity: s.metric.severity } : {}), firing: [], instants: [] }));
    return a;
  };
  for (const s of firing) entry(s).instants.push(...s.values.map(([ts]) => relMs(ts, t0EpochMs)));
  for (const s of pending) {
    const a = entry(s);
    const first = Math.min(...s.values.map(([ts]) => relMs(ts, t0EpochMs)));
    if (Number.isFinite(first) && (a.firstPendingMs === undefined || first < a.firstPendingMs)) a.firstPendingMs = first;
  }
  return [...byName.values()]
    .map(({ instants, ...a }) => {
      const firingStretches = stretchesOf(instants, stepMs);
      return { ...a, ...(firingStretches.length ? { firstFiringMs: firingStretches[0].startMs } : {}), firing: firingStretches };
    })
    .sort((x, y) => x.alert.localeCompare(y.alert));
}

/** The scrape coverage of a job from its raw `up` samples (Unix s, "1" or "0") over [fromMs, toMs] of the run. */
export function scrapeCoverage(job: string, up: ReadonlyArray<[number, string]>, t0EpochMs: number, range: { fromMs: number; toMs: number }, intervalMs: number): ScrapeCoverage {
  const within = up.map(([ts, v]) => ({ t: relMs(ts, t0EpochMs), ok: v === '1' })).filter((s) => s.t >= range.fromMs && s.t <= range.toMs);
  const ok = within.filter((s) => s.ok).map((s) => s.t).sort((a, b) => a - b);
  const edges = [range.fromMs, ...ok, range.toMs];
  let maxGapMs = 0;
  let maxGapAtMs = range.fromMs;
  for (let i = 1; i < edges.length; i++) {
    if (edges[i] - edges[i - 1] > maxGapMs) [maxGapMs, maxGapAtMs] = [edges[i] - edges[i - 1], edges[i - 1]];
  }
  return { job, scrapes: ok.length, failed: within.length - ok.length, maxGapMs, maxGapAtMs, intervalMs };
}

/** Timing slack on a gap: scrapes start a few ms early or late, so one missed scrape reads as 2 intervals and a bit. */
export const SCRAPE_JITTER_SHARE = 0.1;

/** Whether a job's longest gap is over 2 scrape intervals (two or more scrapes in a row missed). */
export function gapTooLong(s: ScrapeCoverage): boolean {
  return s.maxGapMs > (2 + SCRAPE_JITTER_SHARE) * s.intervalMs;
}

/** perfgate's finding and Prometheus' alert for one rule, and whether they agree. */
export interface AlertAgreement {
  rule: string;
  severity: string;
  alert: string;
  perfgate?: { fired: boolean; atMs?: number; note?: string };
  prometheus: { fired: boolean; atMs?: number };
  /** Both fired, or neither; a rule only one side has is no disagreement (agree is then null). */
  agree: boolean | null;
  sentence: string;
}

/** The sentence of one comparison row. */
function agreementSentence(a: Omit<AlertAgreement, 'sentence'>): string {
  const who = `${a.rule} (${a.severity})`;
  const prom = a.prometheus.fired ? `Prometheus fired ${a.alert} at ${clock(a.prometheus.atMs ?? 0)}` : `${a.alert} never fired in Prometheus`;
  if (!a.perfgate) return `${who}: ${prom}; perfgate does not evaluate this rule on runs.`;
  const note = a.perfgate.note ? ` (${a.perfgate.note})` : '';
  if (a.agree && a.perfgate.fired) return `${who}: both fired: ${prom}, perfgate's evaluation at ${clock(a.perfgate.atMs ?? 0)}.`;
  if (a.agree) return `${who}: neither fired.`;
  if (a.perfgate.fired) return `Disagreement on ${who}: perfgate's evaluation says it would have fired at ${clock(a.perfgate.atMs ?? 0)}, but ${a.alert} never fired in Prometheus. One of the two evaluations is wrong.`;
  return `Disagreement on ${who}: ${prom}, but perfgate's evaluation says it would not have fired${note}. One of the two evaluations is wrong.`;
}

/** Compares perfgate's alert findings with what fired in Prometheus: one row per rule either side knows. */
export function compareAlerts(findings: readonly AlertFinding[], prom: PrometheusAlertsJson): AlertAgreement[] {
  const promByRule = new Map(prom.alerts.map((a) => [a.rule ?? a.alert, a]));
  const rows: AlertAgreement[] = findings.map((f) => {
    const p = promByRule.get(f.rule);
    promByRule.delete(f.rule);
    const prometheus = { fired: Boolean(p?.firing.length), ...(p?.firstFiringMs !== undefined ? { atMs: p.firstFiringMs } : {}) };
    const perfgate = { fired: f.fired, ...(f.firstAtMs !== undefined ? { atMs: f.firstAtMs } : {}), ...(f.note ? { note: f.note } : {}) };
    const row = { rule: f.rule, severity: f.severity, alert: p?.alert ?? alertName(f.rule), perfgate, prometheus, agree: perfgate.fired === prometheus.fired };
    return { ...row, sentence: agreementSentence(row) };
  });
  for (const p of promByRule.values()) {
    const row = { rule: p.rule ?? p.alert, severity: p.severity ?? '', alert: p.alert, prometheus: { fired: p.firing.length > 0, ...(p.firstFiringMs !== undefined ? { atMs: p.firstFiringMs } : {}) }, agree: null };
    rows.push({ ...row, sentence: agreementSentence(row) });
  }
  return rows;
}

/** One line per scraped job: its scrapes and its longest gap, flagged when over 2 scrape intervals. */
export function scrapeSentences(prom: PrometheusAlertsJson): string[] {
  return prom.scrapes.map((s) => {
    const gap = `longest gap ${(s.maxGapMs / 1000).toFixed(1)} s at ${clock(s.maxGapAtMs)}`;
    const flag = gapTooLong(s) ? ` (over 2 scrape intervals of ${s.intervalMs / 1000} s: Prometheus missed part of the run)` : '';
    return `${s.job}: ${s.scrapes} scrapes${s.failed ? `, ${s.failed} failed` : ''}, ${gap}${flag}.`;
  });
}
