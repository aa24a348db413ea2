// Monotonic counters to per-interval deltas and rates. A counter that drops means the process restarted: the new
// value is then the delta, as Prometheus' rate() treats a reset.

/** The increase of a counter from prev to curr; a drop (reset) counts the new value as the increase. */
export function counterDelta(prev: number, curr: number): number {
  return curr >= prev ? curr - prev : curr;
}

/** One counter's change over an interval. */
export interface CounterChange {
  delta: number;
  /** delta per second over the elapsed run-clock time; null when no time passed. */
  ratePerS: number | null;
  elapsedMs: number;
  /** True when the counter went down (the source restarted). */
  reset: boolean;
}

/** Remembers the last value of named counters; the first reading of a name is a baseline and yields undefined. */
export class CounterTracker {
  private readonly last = new Map<string, { value: number; tMs: number }>();

  /** Records `value` at run time tMs and returns the change since the previous reading of `key`. */
  update(key: string, value: number, tMs: number): CounterChange | undefined {
    if (!Number.isFinite(value)) return undefined;
    const prev = this.last.get(key);
    this.last.set(key, { value, tMs });
    if (!prev) return undefined;
    const elapsedMs = tMs - prev.tMs;
    const delta = counterDelta(prev.value, value);
    return { delta, ratePerS: elapsedMs > 0 ? (delta * 1000) / elapsedMs : null, elapsedMs, reset: value < prev.value };
  }

  /** Forgets every baseline (e.g. after reconnecting to a different server instance). */
  clear(): void {
    this.last.clear();
  }
}

/** Cumulative histogram buckets: [upper bound, cumulative count], sorted by bound, ending at +Infinity. */
export type CumulativeBuckets = Array<[number, number]>;

/**
 * Per-interval deltas of cumulative histogram buckets. Any bucket going down means a reset: the current buckets
 * are then the interval's delta. A bound absent from the previous reading (a series that just appeared) counts from 0.
 */
export function bucketDeltas(prev: CumulativeBuckets, curr: CumulativeBuckets): CumulativeBuckets {
  const before = new Map(prev);
  const reset = curr.some(([le, n]) => n < (before.get(le) ?? 0));
  if (reset) return curr.map(([le, n]) => [le, n]);
  return curr.map(([le, n]) => [le, n - (before.get(le) ?? 0)]);
}

/** Remembers the last cumulative buckets of named histograms; the first reading of a name yields undefined. */
export class HistogramTracker {
  private readonly last = new Map<string, CumulativeBuckets>();

  /** Records the buckets and returns the per-interval deltas since the previous reading of `key`. */
  update(key: string, buckets: CumulativeBuckets): CumulativeBuckets | undefined {
    const prev = this.last.get(key);
    this.last.set(key, buckets);
    return prev ? bucketDeltas(prev, buckets) : undefined;
  }
}
