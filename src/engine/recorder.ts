// Per-interval metrics of the engine: request stats per (step name, method) and one tick per interval, exactly the
// RequestIntervalRecord / TickIntervalRecord of results/format.ts. Histograms are reused and reset each interval.

import type { ErrorClass, IntervalRecord, RequestIntervalRecord, TickIntervalRecord, UnattributedCounts } from '../results/format.ts';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  recordLatencyUs,
  type LatencyHistogram,
} from '../metrics/histogram.ts';

/** Accumulators of one (step name, method) within the current interval. */
export class StepStats {
  count = 0;
  failed = 0;
  statuses: Record<string, number> = {};
  errors: Partial<Record<ErrorClass, number>> = {};
  readonly okHist = createHistogram();
  readonly failHist = createHistogram();
  readonly waitingHist = createHistogram();
  bytesIn = 0;
  bytesOut = 0;
  checksPassed = 0;
  checksFailed = 0;
  /** Passed and failed checks by name (the `check` tag). */
  private byCheck = new Map<string, [number, number]>();

  constructor(
    readonly name: string,
    readonly method: string,
    readonly journey?: string,
  ) {}

  /** Records one request: its duration, whether it succeeded, its status (0 without a response) and error class. */
  request(durationUs: number, ok: boolean, status: number, errorClass: ErrorClass | undefined, waitingUs: number, bytesIn: number, bytesOut: number): void {
    this.count++;
    if (ok) recordLatencyUs(this.okHist, durationUs);
    else {
      this.failed++;
      recordLatencyUs(this.failHist, durationUs);
    }
    if (status > 0) {
      const key = String(status);
      this.statuses[key] = (this.statuses[key] ?? 0) + 1;
      recordLatencyUs(this.waitingHist, waitingUs);
    }
    if (errorClass) this.errors[errorClass] = (this.errors[errorClass] ?? 0) + 1;
    this.bytesIn += bytesIn;
    this.bytesOut += bytesOut;
  }

  /** Records one check result, under its name (the `check` tag) when given. */
  check(passed: boolean, name?: string): void {
    if (passed) this.checksPassed++;
    else this.checksFailed++;
    if (name === undefined) return;
    let counts = this.byCheck.get(name);
    if (!counts) this.byCheck.set(name, (counts = [0, 0]));
    counts[passed ? 0 : 1]++;
  }

  /** The interval's record, or null when nothing happened (no request, check or byte); resets the accumulators. */
  take(tMs: number, intervalMs: number, phase: string | undefined): RequestIntervalRecord | null {
    if (this.count === 0 && this.checksPassed === 0 && this.checksFailed === 0 && this.bytesIn === 0 && this.bytesOut === 0) return null;
    const rec: RequestIntervalRecord = {
      type: 'req',
      tMs,
      intervalMs,
      name: this.name,
      method: this.method,
      ...(this.journey !== undefined ? { journey: this.journey } : {}),
      count: this.count,
      failed: this.failed,
      statuses: this.statuses,
      errors: this.errors,
      okHist: encodeHistogram(this.okHist),
      failHist: encodeHistogram(this.failHist),
      waitingHist: encodeHistogram(this.waitingHist),
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      checksPassed: this.checksPassed,
      checksFailed: this.checksFailed,
    };
    if (phase !== undefined) rec.phase = phase;
    if (this.byCheck.size > 0) {
      rec.checksByName = Object.fromEntries(this.byCheck);
      this.byCheck = new Map();
    }
    this.count = this.failed = this.bytesIn = this.bytesOut = this.checksPassed = this.checksFailed = 0;
    this.statuses = {};
    this.errors = {};
    if (this.okHist.totalCount) this.okHist.reset();
    if (this.failHist.totalCount) this.failHist.reset();
    if (this.waitingHist.totalCount) this.waitingHist.reset();
    return rec;
  }
}

/** Generator-health and load-shape figures the executor supplies when an interval closes. */
export interface TickExtras {
  phase?: string;
  targetRatePerS?: number;
  generatorCpu: number;
  generatorLoopLagP99Ms: number;
}

/** Collects one interval at a time for one engine (one thread). */
export class Recorder {
  private readonly steps = new Map<string, StepStats>();
  private readonly iterationHist: LatencyHistogram = createHistogram();
  private iterations = 0;
  private dropped = 0;
  private vus = 0;
  private vusMax = 0;

  /**
   * `scenario`: the name every request record carries (the `scenario` tag) in a run of a `scenarios` map; `tags`: the
   * executor's own tags (k6's scenario `tags`), on every request record.
   */
  constructor(
    readonly intervalMs = 1000,
    readonly scenario?: string,
    readonly tags?: Record<string, string>,
  ) {}

  /** The accumulator of a step (of a journey); look it up once and keep it. */
  step(name: string, method: string, journey?: string): StepStats {
    const key = `${method} ${name}\u0000${journey ?? ''}`;
    let s = this.steps.get(key);
    if (!s) {
      s = new StepStats(name, method, journey);
      this.steps.set(key, s);
    }
    return s;
  }

  /** Records a completed iteration. */
  iteration(durationUs: number): void {
    this.iterations++;
    recordLatencyUs(this.iterationHist, durationUs);
  }

  /** Counts iterations that could not start. */
  droppedIteration(n = 1): void {
    this.dropped += n;
  }

  /** Sets the number of active VUs. */
  setVus(n: number): void {
    this.vus = n;
    if (n > this.vusMax) this.vusMax = n;
  }

  /** Closes the interval starting at tMs: its request records and its tick. */
  take(tMs: number, extras: TickExtras): IntervalRecord[] {
    const out: IntervalRecord[] = [];
    for (const s of this.steps.values()) {
      const r = s.take(tMs, this.intervalMs, extras.phase);
      if (r && this.scenario !== undefined) r.scenario = this.scenario;
      if (r && this.tags !== undefined) r.tags = this.tags;
      if (r) out.push(r);
    }
    const tick: TickIntervalRecord = {
      type: 'tick',
      tMs,
      intervalMs: this.intervalMs,
      vus: this.vus,
      vusMax: this.vusMax,
      iterations: this.iterations,
      droppedIterations: this.dropped,
      iterationHist: encodeHistogram(this.iterationHist),
      generatorCpu: extras.generatorCpu,
      generatorLoopLagP99Ms: extras.generatorLoopLagP99Ms,
    };
    if (extras.phase !== undefined) tick.phase = extras.phase;
    if (extras.targetRatePerS !== undefined) tick.targetRatePerS = extras.targetRatePerS;
    out.push(tick);
    this.iterations = 0;
    this.dropped = 0;
    this.vusMax = this.vus;
    if (this.iterationHist.totalCount) this.iterationHist.reset();
    return out;
  }
}

function addCounts<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const k of Object.keys(from) as K[]) into[k] = (into[k] ?? 0) + (from[k] ?? 0);
}

/** Check counts by name, added: a new object (the records' own are never changed). */
function addCheckCounts(a: Record<string, [number, number]> | undefined, b: Record<string, [number, number]>): Record<string, [number, number]> {
  const out = { ...a };
  for (const [k, [p, f]] of Object.entries(b)) out[k] = [(out[k]?.[0] ?? 0) + p, (out[k]?.[1] ?? 0) + f];
  return out;
}

function addUnattributed(a: UnattributedCounts | undefined, b: UnattributedCounts): UnattributedCounts {
  if (!a) return { ...b };
  return { bytesIn: a.bytesIn + b.bytesIn, bytesOut: a.bytesOut + b.bytesOut, checksPassed: a.checksPassed + b.checksPassed, checksFailed: a.checksFailed + b.checksFailed };
}

function mergeHists(encoded: string[]): string {
  const present = encoded.filter((e) => e);
  if (present.length === 0) return '';
  if (present.length === 1) return present[0]!;
  const h = decodeHistogram(present[0]!);
  for (const e of present.slice(1)) h.add(decodeHistogram(e));
  return encodeHistogram(h);
}

/**
 * Merges records of the same interval from several workers, exactly: counts add, histograms merge bucket by bucket.
 * Ticks: vus, iterations and rates add; vusMax adds the workers' maxima (an upper bound); loop lag takes the worst.
 */
export function mergeIntervalRecords(records: IntervalRecord[]): IntervalRecord[] {
  const reqs = new Map<string, RequestIntervalRecord[]>();
  const ticks = new Map<number, TickIntervalRecord[]>();
  for (const r of records) {
    if (r.type === 'req') {
      const key = `${r.tMs}\u0000${r.method}\u0000${r.name}\u0000${r.journey ?? ''}\u0000${r.scenario ?? ''}\u0000${r.tags ? JSON.stringify(r.tags) : ''}`;
      const list = reqs.get(key);
      if (list) list.push(r);
      else reqs.set(key, [r]);
    } else {
      const list = ticks.get(r.tMs);
      if (list) list.push(r);
      else ticks.set(r.tMs, [r]);
    }
  }
  const out: IntervalRecord[] = [];
  for (const list of reqs.values()) {
    const first = list[0]!;
    if (list.length === 1) {
      out.push(first);
      continue;
    }
    const m: RequestIntervalRecord = { ...first, statuses: { ...first.statuses }, errors: { ...first.errors } };
    for (const r of list.slice(1)) {
      m.count += r.count;
      m.failed += r.failed;
      addCounts(m.statuses, r.statuses);
      addCounts(m.errors, r.errors);
      m.bytesIn += r.bytesIn;
      m.bytesOut += r.bytesOut;
      m.checksPassed += r.checksPassed;
      m.checksFailed += r.checksFailed;
      if (r.checksByName) m.checksByName = addCheckCounts(m.checksByName, r.checksByName);
    }
    m.okHist = mergeHists(list.map((r) => r.okHist));
    m.failHist = mergeHists(list.map((r) => r.failHist));
    m.waitingHist = mergeHists(list.map((r) => r.waitingHist ?? ''));
    out.push(m);
  }
  for (const list of ticks.values()) {
    const first = list[0]!;
    if (list.length === 1) {
      out.push(first);
      continue;
    }
    const m: TickIntervalRecord = { ...first };
    for (const t of list.slice(1)) {
      m.vus += t.vus;
      m.vusMax += t.vusMax;
      m.iterations += t.iterations;
      m.droppedIterations += t.droppedIterations;
      if (t.targetRatePerS !== undefined) m.targetRatePerS = (m.targetRatePerS ?? 0) + t.targetRatePerS;
      m.generatorCpu = Math.max(m.generatorCpu, t.generatorCpu);
      m.generatorLoopLagP99Ms = Math.max(m.generatorLoopLagP99Ms, t.generatorLoopLagP99Ms);
      if (t.unattributed) m.unattributed = addUnattributed(m.unattributed, t.unattributed);
    }
    m.iterationHist = mergeHists(list.map((t) => t.iterationHist));
    out.push(m);
  }
  return out.sort((a, b) => a.tMs - b.tMs || (a.type === b.type ? 0 : a.type === 'req' ? -1 : 1));
}
