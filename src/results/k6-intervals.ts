// k6 points rebuilt into perfgate's interval records (pure): per 1-second interval of each point's time and per request
// name and method, the engine's own accumulators (StepStats: HDR histograms of the latencies, counts, statuses,
// errors, bytes, checks), and one tick per interval (iterations, their durations, dropped iterations, VUs).
//
// k6 writes a request's samples one by one, so each metric is read on its own: `http_reqs` counts and its `status`
// tag; `http_req_failed` (1 = failed) the failures and their class; `http_req_duration` goes to the ok or the failed
// histogram by its `expected_response` tag; `http_req_waiting` is the time to first byte of a request that got a
// response. A k6 older than 0.31 has neither `http_req_failed` nor `expected_response`: a status of 200-399 is then
// a success, as k6's default. `vus` is a gauge: an interval holds its last reading (the one before, carried, when it
// has none) and its highest. k6 counts bytes per iteration and tags a check with `name` only when the script does:
// those without a name are the tick's `unattributed` counters.
//
// Points come nearly in time order. An interval is closed (its histograms encoded) once points 5 intervals later
// arrive; a late point opens a fresh accumulator for its interval, and the records of one interval are merged
// exactly at the end, so memory holds a few open intervals, not the whole run.

import type { IntervalRecord, TickIntervalRecord, UnattributedCounts } from './format.ts';
import { mergeIntervalRecords, StepStats } from '../engine/recorder.ts';
import { createHistogram, encodeHistogram, recordLatencyUs, type LatencyHistogram } from '../metrics/histogram.ts';
import { classifyK6Failure, type K6Point } from './k6-json.ts';

/** The k6 metrics perfgate rebuilds; any other metric is counted as ignored. */
export const K6_METRICS = [
  'http_reqs', 'http_req_duration', 'http_req_waiting', 'http_req_failed', 'checks', 'data_sent', 'data_received',
  'iterations', 'iteration_duration', 'dropped_iterations', 'vus',
] as const;

const READ = new Set<string>(K6_METRICS);
/** Intervals a point may lag behind the newest before its interval is closed. */
const CLOSE_LAG = 5;

/** One open interval. */
class Bucket {
  readonly steps = new Map<string, StepStats>();
  /** Failures judged from the status (a k6 without http_req_failed), used only when the file has no http_req_failed. */
  readonly derived = new Map<string, { failed: number; errors: Record<string, number> }>();
  iterations = 0;
  dropped = 0;
  iterationHist: LatencyHistogram | undefined;
  loose: UnattributedCounts = { bytesIn: 0, bytesOut: 0, checksPassed: 0, checksFailed: 0 };
}

/** Readings of the vus gauge in one interval. */
interface VusReading {
  last: number;
  lastAtMs: number;
  max: number;
}

/** What a rebuilt run needs to know of its scenario, when one is given: the phase and target rate at a run time. */
export interface IntervalContext {
  phaseAt?: (tMs: number) => string | undefined;
  targetRatePerSAt?: (tMs: number) => number | undefined;
}

/** Accumulates one k6 output file (one pod, one k6 process) into interval records. */
export class K6Intervals {
  private readonly open = new Map<number, Bucket>();
  private readonly closed: IntervalRecord[] = [];
  private readonly vus = new Map<number, VusReading>();
  private readonly methodOf = new Map<string, string>();
  /** The scenario (k6's `scenario` tag, other than `default`) of each step accumulator. */
  private readonly scenarioOf = new WeakMap<StepStats, string>();
  private newest = -Infinity;
  /** Points read, per metric; points of metrics perfgate has no place for. */
  readonly points: Record<string, number> = {};
  readonly ignored: Record<string, number> = {};
  firstMs = Infinity;
  lastMs = -Infinity;

  constructor(readonly intervalMs = 1000) {}

  /** Adds one point. */
  add(p: K6Point): void {
    if (!READ.has(p.metric)) {
      this.ignored[p.metric] = (this.ignored[p.metric] ?? 0) + 1;
      return;
    }
    this.points[p.metric] = (this.points[p.metric] ?? 0) + 1;
    if (p.timeMs < this.firstMs) this.firstMs = p.timeMs;
    if (p.timeMs > this.lastMs) this.lastMs = p.timeMs;
    const index = Math.floor(p.timeMs / this.intervalMs);
    if (p.metric === 'vus') return this.addVus(index, p);
    this.record(this.bucket(index), p);
    if (index > this.newest) {
      this.newest = index;
      for (const i of [...this.open.keys()]) if (i < index - CLOSE_LAG) this.close(i);
    }
  }

  private addVus(index: number, p: K6Point): void {
    const r = this.vus.get(index);
    if (!r) this.vus.set(index, { last: p.value, lastAtMs: p.timeMs, max: p.value });
    else {
      if (p.timeMs >= r.lastAtMs) {
        r.last = p.value;
        r.lastAtMs = p.timeMs;
      }
      r.max = Math.max(r.max, p.value);
    }
  }

  private bucket(index: number): Bucket {
    let b = this.open.get(index);
    if (!b) this.open.set(index, (b = new Bucket()));
    return b;
  }

  private step(b: Bucket, tags: Record<string, string>): StepStats {
    const name = tags.name ?? tags.url ?? '';
    const method = tags.method ?? this.methodOf.get(name) ?? 'GET';
    if (tags.method && !this.methodOf.has(name)) this.methodOf.set(name, tags.method);
    // k6 tags every point with its scenario; `default` is the single load's, which perfgate's records leave untagged.
    const scenario = tags.scenario !== undefined && tags.scenario !== 'default' ? tags.scenario : undefined;
    const key = `${method} ${name}\u0000${scenario ?? ''}`;
    let s = b.steps.get(key);
    if (!s) {
      b.steps.set(key, (s = new StepStats(name, method)));
      if (scenario !== undefined) this.scenarioOf.set(s, scenario);
    }
    return s;
  }

  private record(b: Bucket, p: K6Point): void {
    const { tags, value } = p;
    const status = Number(tags.status ?? 0) || 0;
    switch (p.metric) {
      case 'http_reqs': {
        const s = this.step(b, tags);
        s.count += value;
        if (status > 0) s.statuses[String(status)] = (s.statuses[String(status)] ?? 0) + value;
        return;
      }
      case 'http_req_failed': {
        if (value === 0) return;
        const s = this.step(b, tags);
        s.failed++;
        const cls = classifyK6Failure(tags);
        s.errors[cls] = (s.errors[cls] ?? 0) + 1;
        return;
      }
      case 'http_req_duration': {
        const s = this.step(b, tags);
        const ok = tags.expected_response !== undefined ? tags.expected_response === 'true' : status >= 200 && status < 400;
        recordLatencyUs(ok ? s.okHist : s.failHist, value * 1000);
        if (!ok && tags.expected_response === undefined) this.derive(b, s, tags);
        return;
      }
      case 'http_req_waiting':
        if (status > 0) recordLatencyUs(this.step(b, tags).waitingHist, value * 1000);
        return;
      case 'checks':
        if (tags.name !== undefined) this.step(b, tags).check(value !== 0);
        else if (value !== 0) b.loose.checksPassed++;
        else b.loose.checksFailed++;
        return;
      case 'data_sent':
      case 'data_received': {
        const into: { bytesIn: number; bytesOut: number } = tags.name === undefined ? b.loose : this.step(b, tags);
        if (p.metric === 'data_sent') into.bytesOut += value;
        else into.bytesIn += value;
        return;
      }
      default:
        return this.recordTick(b, p);
    }
  }

  private recordTick(b: Bucket, p: K6Point): void {
    if (p.metric === 'iterations') b.iterations += p.value;
    else if (p.metric === 'dropped_iterations') b.dropped += p.value;
    else if (p.metric === 'iteration_duration') recordLatencyUs((b.iterationHist ??= createHistogram()), p.value * 1000);
  }

  private derive(b: Bucket, s: StepStats, tags: Record<string, string>): void {
    const key = `${s.method} ${s.name}\u0000${this.scenarioOf.get(s) ?? ''}`;
    let d = b.derived.get(key);
    if (!d) b.derived.set(key, (d = { failed: 0, errors: {} }));
    d.failed++;
    const cls = classifyK6Failure(tags);
    d.errors[cls] = (d.errors[cls] ?? 0) + 1;
  }

  /** Encodes an open interval into records (on the absolute grid: tMs is the interval's epoch ms for now). */
  private close(index: number): void {
    const b = this.open.get(index)!;
    this.open.delete(index);
    const tMs = index * this.intervalMs;
    const legacy = !this.points.http_req_failed;
    for (const [key, s] of b.steps) {
      const d = legacy ? b.derived.get(key) : undefined;
      if (d) {
        s.failed += d.failed;
        for (const [cls, n] of Object.entries(d.errors)) s.errors[cls as keyof typeof s.errors] = (s.errors[cls as keyof typeof s.errors] ?? 0) + n;
      }
      const rec = s.take(tMs, this.intervalMs, undefined);
      const scenario = this.scenarioOf.get(s);
      if (rec && scenario !== undefined) rec.scenario = scenario;
      if (rec) this.closed.push(rec);
    }
    const loose = b.loose;
    const tick: TickIntervalRecord = {
      type: 'tick', tMs, intervalMs: this.intervalMs, vus: 0, vusMax: 0, iterations: b.iterations, droppedIterations: b.dropped,
      iterationHist: b.iterationHist ? encodeHistogram(b.iterationHist) : '', generatorCpu: 0, generatorLoopLagP99Ms: 0,
    };
    if (loose.bytesIn || loose.bytesOut || loose.checksPassed || loose.checksFailed) tick.unattributed = { ...loose };
    this.closed.push(tick);
  }

  /**
   * The interval records on a clock whose origin is t0EpochMs (a whole number of intervals before the first point):
   * every interval from the first point's to the last's has its tick, with the VUs carried over empty intervals.
   */
  records(t0EpochMs: number, ctx: IntervalContext = {}): IntervalRecord[] {
    for (const i of [...this.open.keys()].sort((a, b) => a - b)) this.close(i);
    if (!Number.isFinite(this.firstMs)) return [];
    const merged = mergeIntervalRecords(this.closed);
    const ticks = new Map<number, TickIntervalRecord>();
    for (const r of merged) if (r.type === 'tick') ticks.set(r.tMs, r);
    const first = Math.floor(this.firstMs / this.intervalMs);
    const last = Math.floor(this.lastMs / this.intervalMs);
    let carried = 0;
    for (let i = first; i <= last; i++) {
      const tMs = i * this.intervalMs;
      let tick = ticks.get(tMs);
      if (!tick) {
        tick = { type: 'tick', tMs, intervalMs: this.intervalMs, vus: 0, vusMax: 0, iterations: 0, droppedIterations: 0, iterationHist: '', generatorCpu: 0, generatorLoopLagP99Ms: 0 };
        merged.push(tick);
      }
      const v = this.vus.get(i);
      tick.vusMax = v ? Math.max(v.max, carried) : carried;
      carried = v ? v.last : carried;
      tick.vus = carried;
    }
    const lastIntervalMs = Math.max(1, Math.ceil(this.lastMs - last * this.intervalMs));
    const out = merged;
    for (const r of out) {
      if (Math.floor(r.tMs / this.intervalMs) === last) r.intervalMs = Math.min(this.intervalMs, lastIntervalMs);
      r.tMs -= t0EpochMs;
      const phase = ctx.phaseAt?.(r.tMs + r.intervalMs / 2);
      if (phase !== undefined) r.phase = phase;
      const rate = r.type === 'tick' ? ctx.targetRatePerSAt?.(r.tMs + r.intervalMs / 2) : undefined;
      if (r.type === 'tick' && rate !== undefined) r.targetRatePerS = rate;
    }
    return out.sort((a, b) => a.tMs - b.tMs || (a.type === b.type ? 0 : a.type === 'req' ? -1 : 1));
  }
}
