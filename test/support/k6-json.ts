// Synthetic k6 JSON output, written line by line in the documented format (k6 docs "JSON output"; k6's
// internal/output/json/wrapper.go): `Metric` lines, then `Point` lines with time, value, tags and sometimes
// `metadata`. Deterministic (a seeded PRNG), with the raw values kept for sort-based references.

import { seededRandom } from '../../src/engine/random.ts';

/** One generated request, as the test's reference. */
export interface RefRequest {
  pod: number;
  timeMs: number;
  name: string;
  method: string;
  status: number;
  failed: boolean;
  errorClass?: string;
  durationMs: number;
  waitingMs: number;
}

/** A generated k6 output: its lines per pod (a pod is one k6 process) and the reference values. */
export interface K6Output {
  /** Lines of every pod interleaved in time: the whole test written by one k6 process. */
  whole: string[];
  /** The same points split into pods (requests and iterations dealt round-robin, the VUs split). */
  pods: string[][];
  requests: RefRequest[];
  iterations: number[];
  dropped: number;
  checks: { passed: number; failed: number; byName: Record<string, { passed: number; failed: number }> };
  bytes: { sent: number; received: number };
  startMs: number;
  /** VUs of each interval of the run (the last reading carried into the intervals after it). */
  vus: number[];
}

/** Options of the generator. */
export interface K6OutputOptions {
  seconds?: number;
  perSecond?: number;
  pods?: number;
  /** `legacy`: the older field order `type, data, metric`; `current`: `metric, type, data`. */
  order?: 'current' | 'legacy';
  /** Leave out http_req_failed and expected_response (k6 before 0.31). */
  noFailedMetric?: boolean;
  seed?: number;
}

const METRICS: Array<[string, string, string]> = [
  ['vus', 'gauge', 'default'], ['vus_max', 'gauge', 'default'], ['http_reqs', 'counter', 'default'],
  ['http_req_duration', 'trend', 'time'], ['http_req_blocked', 'trend', 'time'], ['http_req_waiting', 'trend', 'time'],
  ['http_req_failed', 'rate', 'default'], ['checks', 'rate', 'default'], ['data_sent', 'counter', 'data'],
  ['data_received', 'counter', 'data'], ['iterations', 'counter', 'default'], ['iteration_duration', 'trend', 'time'],
  ['dropped_iterations', 'counter', 'default'], ['my_custom_trend', 'trend', 'default'],
];

/** k6's time format: nanoseconds, in UTC or with an offset. */
function k6Time(ms: number, offsetMin: number): string {
  const local = new Date(ms + offsetMin * 60_000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const nanos = String(Math.round((ms % 1) * 1e6)).padStart(6, '0');
  const zone = offsetMin === 0 ? 'Z' : `${offsetMin > 0 ? '+' : '-'}${String(Math.floor(Math.abs(offsetMin) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMin) % 60).padStart(2, '0')}`;
  return `${local.slice(0, 23)}${nanos}${zone}`;
}

/** Generates a k6 run of `seconds` seconds at about `perSecond` requests a second. */
export function k6Output(opts: K6OutputOptions = {}): K6Output {
  const seconds = opts.seconds ?? 12;
  const perSecond = opts.perSecond ?? 60;
  const podCount = opts.pods ?? 3;
  const rnd = seededRandom(opts.seed ?? 7);
  const startMs = Date.UTC(2026, 0, 2, 3, 4, 5) + 300.25;
  const order = opts.order ?? 'current';
  // `pod` -1: a line of the whole test only (a gauge of the one process); `only`: a line of its pod only.
  type Line = { t: number; pod: number; text: string; only?: boolean };
  const lines: Line[] = [];
  let nth = 0;
  const point = (pod: number, t: number, metric: string, value: number, tags: Record<string, string> | null, extra: Record<string, unknown> = {}, only = false) => {
    const data: Record<string, unknown> = { time: k6Time(t, nth++ % 5 === 0 ? 120 : 0), value, tags, ...extra };
    const rec = order === 'current' ? { metric, type: 'Point', data } : { type: 'Point', data, metric };
    lines.push({ t, pod, text: JSON.stringify(rec), only });
  };
  const out: K6Output = { whole: [], pods: [], requests: [], iterations: [], dropped: 0, checks: { passed: 0, failed: 0, byName: {} }, bytes: { sent: 0, received: 0 }, startMs, vus: [] };
  for (let s = 0; s < seconds; s++) {
    const vus = Math.min(s + 1, 6) * 5 - (s > seconds - 3 ? 10 : 0);
    out.vus.push(vus);
    const tv = startMs + s * 1000 + 1;
    point(-1, tv, 'vus', vus, null);
    point(-1, tv, 'vus_max', 30, null);
    for (let pod = 0; pod < podCount; pod++) {
      // Each pod runs its share of the VUs, as execution segments split them.
      const share = Math.floor(vus / podCount) + (pod < vus % podCount ? 1 : 0);
      point(pod, tv, 'vus', share, null, {}, true);
      point(pod, tv, 'vus_max', 30, null, {}, true);
    }
    for (let k = 0; k < perSecond; k++) generateRequest(out, point, rnd, startMs + s * 1000 + rnd() * 999, nth++ % podCount, opts);
    if (s === 4 || s === seconds - 1) {
      // The last one is written late, for the second interval: it lands after that interval was closed.
      point(s % podCount, startMs + (s === 4 ? s * 1000 + 500 : 1500), 'dropped_iterations', 1, { scenario: 'default' });
      out.dropped++;
    }
  }
  // The end of the test, the same moment in every pod: the last VU reading.
  const endT = lines.reduce((m, l) => Math.max(m, l.t), -Infinity) + 1;
  const lastVus = out.vus[out.vus.length - 1]!;
  point(-1, endT, 'vus', lastVus, null);
  for (let pod = 0; pod < podCount; pod++) point(pod, endT, 'vus', Math.floor(lastVus / podCount) + (pod < lastVus % podCount ? 1 : 0), null, {}, true);
  for (const l of lines) if (!l.only) out.whole.push(l.text); // already near time order, as k6 writes it
  // Metric lines: `type, data, metric` in every version; the older data has `tainted`, the newer `name`.
  const header = METRICS.map(([name, type, contains]) => {
    const thresholds = name === 'http_req_duration' ? ['p(95)<500'] : [];
    const data = order === 'current' ? { name, type, contains, thresholds, submetrics: null } : { type, contains, tainted: null, thresholds, submetrics: null };
    return JSON.stringify({ type: 'Metric', data, metric: name });
  });
  out.whole = [...header, ...out.whole];
  for (let pod = 0; pod < podCount; pod++) out.pods.push([...header, ...lines.filter((l) => l.pod === pod).map((l) => l.text)]);
  const lastInterval = Math.floor((lines.reduce((m, l) => Math.max(m, l.t), -Infinity) - Math.floor(startMs / 1000) * 1000) / 1000);
  while (out.vus.length <= lastInterval) out.vus.push(out.vus[out.vus.length - 1]!);
  return out;
}

type PointFn = (pod: number, t: number, metric: string, value: number, tags: Record<string, string> | null, extra?: Record<string, unknown>) => void;

function generateRequest(out: K6Output, point: PointFn, rnd: () => number, t: number, pod: number, opts: K6OutputOptions): void {
  const names = [['list', 'GET'], ['item', 'GET'], ['create', 'POST']] as const;
  const [name, method] = names[Math.floor(rnd() * 3)]!;
  const r = rnd();
  const status = r < 0.04 ? 0 : r < 0.1 ? 500 : r < 0.13 ? 429 : method === 'POST' ? 201 : 200;
  const failed = status === 0 || status >= 400;
  const durationMs = status === 0 ? 60_000 * (rnd() < 0.5 ? 1 : 0.001) : Math.exp(Math.log(20) + 0.8 * (rnd() + rnd() + rnd() - 1.5)) * (name === 'create' ? 3 : 1);
  const waitingMs = durationMs * 0.9;
  const errorCode = status === 0 ? (durationMs > 1000 ? '1050' : '1212') : status >= 400 ? String(1000 + status) : undefined;
  const errorClass = !failed ? undefined : status === 0 ? (errorCode === '1050' ? 'timeout' : 'econnrefused') : status === 429 ? 'rate_limited' : 'http_5xx';
  out.requests.push({ pod, timeMs: t, name, method, status, failed, errorClass, durationMs, waitingMs });
  const tags: Record<string, string> = {
    group: '', method, name, proto: 'HTTP/1.1', scenario: 'default', status: String(status), url: `http://127.0.0.1:3000/api/${name}`,
    ...(opts.noFailedMetric ? {} : { expected_response: String(!failed) }),
    ...(errorCode ? { error_code: errorCode } : {}),
  };
  const meta = rnd() < 0.3 ? { metadata: { vu: String(1 + Math.floor(rnd() * 30)), iter: String(Math.floor(rnd() * 100)) } } : {};
  const extra = rnd() < 0.2 ? { futureField: { nested: [1, 2] } } : {};
  point(pod, t, 'http_reqs', 1, tags, meta);
  point(pod, t, 'http_req_duration', durationMs, tags, { ...meta, ...extra });
  point(pod, t, 'http_req_blocked', 0.01, tags);
  point(pod, t, 'http_req_waiting', waitingMs, tags);
  if (!opts.noFailedMetric) point(pod, t, 'http_req_failed', failed ? 1 : 0, tags);
  // The iteration this request ends: checks (some with a name tag), bytes, iterations.
  const checkOk = status === 200 || status === 201;
  const named = rnd() < 0.5;
  const checkTags = { check: 'status is 2xx', group: '', scenario: 'default', ...(named ? { name, method } : {}) };
  point(pod, t + 0.5, 'checks', checkOk ? 1 : 0, checkTags);
  if (checkOk) out.checks.passed++;
  else out.checks.failed++;
  if (named) {
    const c = (out.checks.byName[name] ??= { passed: 0, failed: 0 });
    if (checkOk) c.passed++;
    else c.failed++;
  }
  const sent = 100 + Math.floor(rnd() * 50);
  const received = 300 + Math.floor(rnd() * 500);
  out.bytes.sent += sent;
  out.bytes.received += received;
  point(pod, t + 0.6, 'data_sent', sent, { group: '', scenario: 'default' });
  point(pod, t + 0.6, 'data_received', received, { group: '', scenario: 'default' });
  const iterMs = durationMs + 2;
  out.iterations.push(iterMs);
  point(pod, t + 0.6, 'iterations', 1, { group: '', scenario: 'default' });
  point(pod, t + 0.6, 'iteration_duration', iterMs, { group: '', scenario: 'default' });
  point(pod, t + 0.6, 'my_custom_trend', 5, { group: '', scenario: 'default' });
}

/** The value at percentile p (0-100) of values by nearest rank, as a sort-based reference. */
export function nearestRank(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
