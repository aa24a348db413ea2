// A recorded run as a `promtool test rules` file: the run's client intervals and collector samples written as the
// series the exported rules read (as if the target had seen what the client saw), and the alerts perfgate's own
// evaluation found as the expected alerts, at every interval end. When promtool disagrees, one evaluation is wrong.
// Times: a client interval counts at its end; a collector sample taken at T (which perfgate reads as T - 1 ms) at
// T - 0.5 s, so Prometheus' closed range [t - w, t] holds exactly the samples of perfgate's window. Pure.

import { HTTP_SLO_BUCKETS_S } from '../metrics/buckets.ts';
import { mergeEncodedSparse } from '../metrics/sparse-histogram.ts';
import type { AlertFinding, RequestIntervalRecord, RunData, SampleRecord, TickIntervalRecord } from '../results/format.ts';
import type { AlertRule } from './alert-rules.ts';
import { evaluateAlerts } from './alerts.ts';
import { alertingRule, HARNESS_LOAD_START, HARNESS_PHASE, type SloCatalogue } from './prometheus-rules.ts';
import { DB_HISTOGRAM, harnessGauge, HTTP_HISTOGRAM } from './promql.ts';
import { toYaml, type YamlValue } from './yaml.ts';

/** The input series' step, ms. */
export const STEP_MS = 500;

/** One series of the test: counters hold their last value, gauges are missing between readings. */
interface Series {
  kind: 'counter' | 'gauge';
  /** step index -> value (counters: the increment at that step). */
  points: Map<number, number>;
}

/** The test file's shape (the parts perfgate writes). */
export interface PromtoolTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: Array<{ interval: string; input_series: Array<{ series: string; values: string }>; alert_rule_test: AlertTest[] }>;
}

/** One expectation: at eval_time, these alerts of alertname fire (none: not firing). */
export interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>;
}

/** Builds the series of a run step by step. */
class SeriesSet {
  readonly series = new Map<string, Series>();
  /** Adds to a counter at a time (ms). */
  inc(name: string, atMs: number, by: number): void {
    if (by !== 0 || !this.series.has(name)) this.at(name, 'counter', atMs, by, (a, b) => a + b);
  }
  /** Sets a gauge at a time (ms). */
  set(name: string, atMs: number, value: number): void {
    this.at(name, 'gauge', atMs, value, (_, b) => b);
  }
  private at(name: string, kind: Series['kind'], atMs: number, v: number, combine: (a: number, b: number) => number): void {
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = { kind, points: new Map() }));
    const step = Math.max(0, Math.round(atMs / STEP_MS));
    s.points.set(step, combine(s.points.get(step) ?? 0, v));
  }
}

/** `name{a="b",...}`. */
const sel = (name: string, labels: Record<string, string> = {}): string => {
  const l = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',');
  return l ? `${name}{${l}}` : name;
};

/** The client intervals as the target's HTTP histogram: expected responses as status 200, failures as 500. */
function addRequests(set: SeriesSet, reqs: readonly RequestIntervalRecord[]): void {
  const byEnd = new Map<number, RequestIntervalRecord[]>();
  for (const r of reqs) byEnd.set(r.tMs + r.intervalMs, [...(byEnd.get(r.tMs + r.intervalMs) ?? []), r]);
  const boundsUs = HTTP_SLO_BUCKETS_S.map((b) => b * 1e6);
  for (const [end, list] of byEnd) {
    for (const [status, pick] of [['200', (r: RequestIntervalRecord) => r.okHist], ['500', (r: RequestIntervalRecord) => r.failHist]] as const) {
      const h = mergeEncodedSparse(list.map(pick));
      const cum = h.cumulativeAtUs(boundsUs);
      HTTP_SLO_BUCKETS_S.forEach((b, i) => set.inc(sel(`${HTTP_HISTOGRAM}_bucket`, { le: String(b), status }), end, cum[i]));
      set.inc(sel(`${HTTP_HISTOGRAM}_bucket`, { le: '+Inf', status }), end, h.totalCount);
      set.inc(sel(`${HTTP_HISTOGRAM}_count`, { status }), end, h.totalCount);
      set.inc(sel(`${HTTP_HISTOGRAM}_sum`, { status }), end, h.totalCount ? ((h.meanUs() ?? 0) * h.totalCount) / 1e6 : 0);
    }
  }
}

/** The collector samples as the series the rules read: the target's pool and cache, the harness' readings. */
function addSamples(set: SeriesSet, samples: readonly SampleRecord[]): void {
  for (const s of samples) {
    const at = s.tMs - STEP_MS;
    if (s.metric === 'cache_hit_ratio' && s.num !== undefined && s.den !== undefined) {
      set.inc('cache_hits_total', at, s.num);
      set.inc('cache_misses_total', at, s.den - s.num);
    } else if (s.value === null) {
      continue;
    } else if (s.metric === 'db_pool_utilization') {
      set.set('db_pool_total', at, s.value);
      set.set('db_pool_idle', at, 0);
      set.set('db_pool_max', at, 1);
    } else if (['redis_memory_utilization', 'host_memory_utilization', 'host_cpu_utilization'].includes(s.metric)) {
      set.set(harnessGauge(s.metric), at, s.value);
    } else if (s.metric === 'db_query_duration' && s.buckets) {
      for (const [le, c] of s.buckets) set.inc(sel(`${DB_HISTOGRAM}_bucket`, { le: le === '+Inf' ? '+Inf' : String(le / 1000) }), at, c);
    }
  }
}

/** The harness' load start and phase series. */
function addHarness(set: SeriesSet, data: RunData, endMs: number, loadStartMs: number): void {
  set.set(HARNESS_LOAD_START, 0, loadStartMs / 1000);
  set.set(HARNESS_LOAD_START, endMs, loadStartMs / 1000);
  for (const name of new Set(data.run.phases.map((p) => p.name))) {
    for (let t = 0; t <= endMs; t += STEP_MS) {
      const on = data.run.phases.some((p) => p.name === name && t >= p.startMs && t < p.endMs);
      set.set(sel(HARNESS_PHASE, { phase: name }), t, on ? 1 : 0);
    }
  }
}

/** A series' values in promtool's notation: counters cumulative at every step, gauges `_` between readings. */
function valuesOf(s: Series, steps: number): string {
  const out: string[] = [];
  let total = 0;
  for (let i = 0; i <= steps; i++) {
    const p = s.points.get(i);
    if (s.kind === 'counter') {
      total += p ?? 0;
      out.push(String(+total.toPrecision(12)));
    } else out.push(p === undefined ? '_' : String(p));
  }
  return out.join(' ');
}

/** The expectations of one rule: not firing at each interval end before perfgate's first firing, firing then. */
function expectations(rule: AlertRule, finding: AlertFinding | undefined, ends: readonly number[], catalogue: SloCatalogue): AlertTest[] {
  const prom = alertingRule(rule, catalogue, RUNBOOK);
  const firing = [{ exp_labels: prom.labels, exp_annotations: prom.annotations }];
  const first = finding?.fired ? finding.firstAtMs : undefined;
  const out: AlertTest[] = [];
  for (const end of ends) {
    if (first !== undefined && end > first) break;
    out.push({ eval_time: `${end / 1000}s`, alertname: prom.alert, exp_alerts: end === first ? firing : [] });
  }
  return out;
}

const RUNBOOK = 'README.md#runbook';

/** The promtool test file of a run, for the rules file(s) exported from the same catalogue and alert rules. */
export function promtoolTests(data: RunData, rules: readonly AlertRule[], opts: { ruleFiles: string[]; catalogue: SloCatalogue }): PromtoolTestFile {
  // intervals and samples -> series on a 500 ms grid -> perfgate's alert findings -> expectations per interval end
  const reqs = data.intervals.filter((r): r is RequestIntervalRecord => r.type === 'req');
  const ticks = data.intervals.filter((r): r is TickIntervalRecord => r.type === 'tick');
  const ends = [...new Set(data.intervals.map((r) => r.tMs + r.intervalMs))].sort((a, b) => a - b);
  const endMs = ends.length ? ends[ends.length - 1] : 0;
  const loadStartMs = data.intervals.reduce((m, r) => Math.min(m, r.tMs), ticks.length ? Infinity : 0);
  const set = new SeriesSet();
  addRequests(set, reqs);
  addSamples(set, data.samples);
  addHarness(set, data, endMs, Number.isFinite(loadStartMs) ? loadStartMs : 0);
  const steps = Math.ceil(endMs / STEP_MS);
  const findings = evaluateAlerts(data, { rules });
  return {
    rule_files: opts.ruleFiles,
    evaluation_interval: '1s',
    tests: [{
      interval: `${STEP_MS}ms`,
      input_series: [...set.series].sort(([a], [b]) => a.localeCompare(b)).map(([series, s]) => ({ series, values: valuesOf(s, steps) })),
      alert_rule_test: rules.flatMap((r) => expectations(r, findings.find((f) => f.rule === r.name), ends, opts.catalogue)),
    }],
  };
}

/** The test file as YAML. */
export function promtoolTestsYaml(file: PromtoolTestFile, run: string): string {
  return toYaml(file as unknown as YamlValue, `promtool test rules file exported by perfgate from run ${run}: the run's series as input,\nthe alerts perfgate's own evaluation found as expected. Run: promtool test rules <this file>.`);
}
