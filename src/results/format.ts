// The run directory, format version 1: the records every stage writes and reads (see DESIGN.md "Run directory").
// Each stage hands the next plain, serialisable data; nothing here is a live object.

import type { ProfileSummary } from '../profile/types.ts';
import type { PrometheusAlertsJson } from '../slo/prometheus-alerts.ts';
/** Version written into run.json, summary.json and verdict.json. */
export const FORMAT_VERSION = 1 as const;

/** File names inside a run directory. */
export const RUN_FILES = {
  run: 'run.json',
  intervals: 'intervals.ndjson',
  samples: 'samples.ndjson',
  summary: 'summary.json',
  verdict: 'verdict.json',
  report: 'report.html',
  junit: 'junit.xml',
  markdown: 'summary.md',
  charts: 'charts',
} as const;

/** How a run ended. `running` is only ever seen in a run.json of a run still in progress or killed hard. */
export type RunStatus = 'running' | 'completed' | 'aborted' | 'interrupted' | 'invalid';

/** Profiles scale a scenario: `full` is the production shape. */
export type ProfileName = 'full' | 'ci' | 'smoke';

/** Error classes of failed requests (the `error_code` tag). */
export type ErrorClass =
  | 'timeout'
  | 'econnrefused'
  | 'econnreset'
  /** No route to the host or network (ENETUNREACH, EHOSTUNREACH, ENETDOWN, EHOSTDOWN). */
  | 'unreachable'
  | 'dns'
  | 'tls'
  | 'protocol'
  | 'http_4xx'
  | 'http_5xx'
  | 'rate_limited'
  /** A response of an expected status failed a check of a step with `check.fail: true`. */
  | 'check_failed'
  /** A redirect led to a host the host guard refuses. */
  | 'host_not_allowed'
  | 'other';

/** A named stretch of the run: a stage `name` (phase) or an injected fault. */
export interface TimeWindow {
  name: string;
  startMs: number;
  endMs: number;
}

/** The abortOnFail threshold that stopped a run: its key and expression, when, and its value on the data so far. */
export interface AbortedBy {
  key: string;
  expression: string;
  /** The end of the data the decision was made on, ms since the run started. */
  atMs: number;
  observed?: number | null;
  unit?: string;
}

/** run.json: what ran, against what, how it ended. Written at start (status running) and rewritten at the end. */
export interface RunJson {
  format: typeof FORMAT_VERSION;
  id: string;
  scenario: string;
  description?: string;
  profile: ProfileName;
  /** ISO 8601 wall-clock times. */
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  /** Planned duration of the load, from the scenario and profile. */
  plannedDurationMs: number;
  status: RunStatus;
  /** Why the run is aborted, interrupted or invalid, in one sentence. */
  statusReason?: string;
  /** The abortOnFail threshold that stopped the run (status aborted), when (ms since the start), and what it saw then. */
  abortedBy?: AbortedBy;
  /**
   * Base URL with any credentials removed, and the target's build (PERFGATE_TARGET_BUILD: an image tag, a version, a
   * configuration): the regression gate compares runs of one target build only.
   */
  target: { baseUrl: string; build?: string };
  /** Executor and its peak load, for the report's one-line description. */
  load: {
    executor: string;
    peakVUs?: number;
    peakRatePerS?: number;
    /** A run of a `scenarios` map: each scenario's executor, start (ms after the load's start) and peaks. */
    scenarios?: { name: string; executor: string; startMs: number; peakVUs?: number; peakRatePerS?: number }[];
  };
  /** The scenario as run (after the profile), with secrets redacted. */
  config: unknown;
  environment: {
    node: string;
    os: string;
    arch: string;
    cpus: number;
    perfgateVersion: string;
    gitSha?: string;
    /** The branch (GITHUB_HEAD_REF or GITHUB_REF_NAME on a detached CI checkout). */
    gitBranch?: string;
    workers: number;
  };
  phases: TimeWindow[];
  faults: TimeWindow[];
  exitCode?: number;
  /** The service ran under a profiler (profile/ holds it): its throughput is not comparable, so never a baseline. */
  profiled?: boolean;
  /** Which profiler, when profiled: a Clinic.js tool, collected by Clinic or by Node's own profiler. */
  profiler?: { tool: string; method: 'clinic' | 'node' };
  /** Built by `perfgate import k6` from another tool's raw output: the files and what was read of them. */
  imported?: ImportInfo;
  /** This process ran one execution segment of the test (--execution-segment, --execution-segment-sequence). */
  executionSegment?: { segment: string; sequence?: string };
  /** Built by `perfgate merge` (or an import of several files): the shards it joined, on its clock. */
  parts?: RunPart[];
}

/** What `perfgate import` read: the tool, the files, the points per metric, and the metrics it had no place for. */
export interface ImportInfo {
  tool: 'k6';
  files: string[];
  points: Record<string, number>;
  ignoredMetrics: Record<string, number>;
}

/** One shard of a merged run: where it came from, and its offset on the merged run's clock. */
export interface RunPart {
  id: string;
  /** The run directory or file as given. */
  source: string;
  startedAt: string;
  /** Its clock's origin on the merged clock, ms (a whole number of intervals). */
  offsetMs: number;
  status: RunStatus;
}

/**
 * intervals.ndjson, `type: "req"`: one line per interval (1 s) per request name and method.
 * Histograms are HDR histograms of latency in integer microseconds (1 us to 60 s, 3 significant digits),
 * encoded with hdr-histogram-js `encodeIntoCompressedBase64`; "" when empty.
 */
export interface RequestIntervalRecord {
  type: 'req';
  /** Interval start, ms since the run started. */
  tMs: number;
  intervalMs: number;
  /** The step name (the `name` tag). */
  name: string;
  method: string;
  /** The journey the step belongs to (the `journey` tag, as k6's `group`); absent in runs older than the tag. */
  journey?: string;
  /** The scenario of a `scenarios` map that made it (the `scenario` tag); absent means `default`, the single `load`. */
  scenario?: string;
  /** The executor's own tags (k6's scenario `tags`): `{ team: 'checkout' }`; filters as `{team:checkout}`. */
  tags?: Record<string, string>;
  phase?: string;
  count: number;
  /** Requests that failed: an error, or a status outside the step's `expect`. */
  failed: number;
  /** Count per HTTP status; failures without a response are not here. */
  statuses: Record<string, number>;
  errors: Partial<Record<ErrorClass, number>>;
  /** Latency of requests with an expected response (`expected_response:true`). */
  okHist: string;
  /** Latency of failed requests, timeouts at their full timeout (`expected_response:false`). */
  failHist: string;
  /** Time to first byte (`http_req_waiting`) of every request that got a response. */
  waitingHist?: string;
  bytesIn: number;
  bytesOut: number;
  checksPassed: number;
  checksFailed: number;
  /** Checks by name (the `check` tag): [passed, failed]; absent when the step has no check. */
  checksByName?: Record<string, [number, number]>;
}

/** intervals.ndjson, `type: "tick"`: one line per interval with the load shape and the generator's health. */
export interface TickIntervalRecord {
  type: 'tick';
  tMs: number;
  intervalMs: number;
  phase?: string;
  /** Active VUs at the end of the interval, and the most seen within it. */
  vus: number;
  vusMax: number;
  iterations: number;
  droppedIterations: number;
  /** Iteration durations (us), encoded like the request histograms. */
  iterationHist: string;
  /** Open model: the intended arrival rate during this interval, iterations per second. */
  targetRatePerS?: number;
  /** Generator process CPU, as a fraction of one core (1 = one core busy). */
  generatorCpu: number;
  /** Generator event-loop lag p99 in this interval, ms. */
  generatorLoopLagP99Ms: number;
  /**
   * Bytes and checks that belong to no request name (an imported k6 run: k6 counts bytes per iteration, and a check
   * carries a `name` tag only when the script gives it one). They count in `data_*` and `checks` without a name filter.
   */
  unattributed?: UnattributedCounts;
}

/** Counters of an interval that no request name owns. */
export interface UnattributedCounts {
  bytesIn: number;
  bytesOut: number;
  checksPassed: number;
  checksFailed: number;
}

/** One line of intervals.ndjson. */
export type IntervalRecord = RequestIntervalRecord | TickIntervalRecord;

/**
 * samples.ndjson: one collector reading. `value: null` with `error` marks a gap (the collector failed this tick).
 * Histogram metrics (db_query_duration, target_http_req_duration) carry the interval's bucket deltas instead of
 * a single value, so any window's quantiles can be computed exactly from merged buckets.
 */
export interface SampleRecord {
  /** ms since the run started. */
  tMs: number;
  /** The collector: prometheus, postgres, pgbouncer, redis, host, generator, lab. */
  source: string;
  metric: string;
  value: number | null;
  labels?: Record<string, string>;
  error?: string;
  /** Histogram bucket deltas over the interval: [upper bound in the metric's unit (Infinity as "+Inf"), count]. Cumulative, as in Prometheus. */
  buckets?: Array<[number | '+Inf', number]>;
  /** Ratio metrics (cache_hit_ratio, pg_cache_hit_ratio): the interval's numerator and denominator, so a window's value is sum(num) / sum(den). */
  num?: number;
  den?: number;
}

/** k6 metric types. */
export type MetricType = 'trend' | 'rate' | 'counter' | 'gauge';

/** summary.json metric, in k6's end-of-test summary shape. */
export interface SummaryMetric {
  type: MetricType;
  contains: 'time' | 'data' | 'default';
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

/** summary.json: k6's end-of-test summary shape; sub-metrics are keyed like `http_req_duration{name:company}`. */
export interface SummaryJson {
  format: typeof FORMAT_VERSION;
  state: { testRunDurationMs: number; status: RunStatus };
  metrics: Record<string, SummaryMetric>;
  /** Stress scenarios: the breaking point found. */
  capacity?: CapacityFinding;
}

/** The breaking point of a ramp: the highest load at which every SLO held, and the first SLO to break. */
export interface CapacityFinding {
  maxHealthyVUs?: number;
  maxHealthyRatePerS?: number;
  firstBreach?: { key: string; expression: string; atMs: number; vus?: number; observed: number };
  sentence: string;
}

/** One evaluated threshold. Margin is limit distance in the metric's unit, positive when passing. */
export interface VerdictEntry {
  /** The threshold key as written, e.g. `http_req_duration{name:company}`. */
  key: string;
  metric: string;
  tags: Record<string, string>;
  expression: string;
  aggregation: string;
  operator: '<' | '<=' | '>' | '>=' | '==' | '!=';
  limit: number;
  /** null when there was no data to evaluate. */
  observed: number | null;
  /**
   * Observations behind the value: requests (request metrics), iterations (iteration metrics), interval records (byte
   * counters, vus), collector samples or histogram observations (server metrics).
   */
  samples?: number;
  /** Set on a percentile whose window holds fewer samples than it needs (src/slo/sample-size.ts): it gates on noise. */
  fewSamples?: { minSamples: number };
  pass: boolean;
  margin: number | null;
  marginPct: number | null;
  unit: string;
  /** The window judged; `spans` lists its stretches when a phase name is borne by several stages. */
  window: { fromMs: number; toMs: number; spans?: Array<{ fromMs: number; toMs: number }> };
  abortOnFail: boolean;
  /** True when this threshold aborted the run. */
  aborted?: boolean;
  /** When it aborted the run, ms since the start. */
  abortedAtMs?: number;
  note?: string;
}

/** An alert rule evaluated over the run: would it have fired, and first when. */
export interface AlertFinding {
  severity: 'P0' | 'P1' | 'P2';
  rule: string;
  description: string;
  fired: boolean;
  firstAtMs?: number;
  observed?: number;
  /** Unit of `observed`: ms or ratio. */
  unit?: string;
  /** Why the rule could not be evaluated, e.g. "not evaluated: no data". */
  note?: string;
}

/** Overall outcome of a run. `no-thresholds`: nothing was judged (exit 0, as k6), never shown as a pass. */
export type VerdictStatus = 'pass' | 'fail' | 'invalid' | 'interrupted' | 'aborted' | 'no-thresholds';

/** verdict.json. */
export interface VerdictJson {
  format: typeof FORMAT_VERSION;
  status: VerdictStatus;
  exitCode: number;
  reason?: string;
  thresholds: VerdictEntry[];
  alerts: AlertFinding[];
  /** Every request of the run (HTTP and SQL steps) and how many failed. */
  requests?: { total: number; failed: number };
  capacity?: CapacityFinding;
  /** The run was profiled (run.json `profiled`). */
  profiled?: boolean;
}

/** Everything a run directory holds, in memory. */
export interface RunData {
  dir: string;
  run: RunJson;
  intervals: IntervalRecord[];
  samples: SampleRecord[];
  summary?: SummaryJson;
  verdict?: VerdictJson;
  /** profile/summary.json of a profiled run. */
  profile?: ProfileSummary;
  /** prometheus-alerts.json of a run on a lab with Prometheus: what fired in it. */
  prometheus?: PrometheusAlertsJson;
}
