// Collectors that missed readings: for each, the share of its sampling ticks that were gaps and the last error (already
// redacted by the collector, and redacted again here). Pure: samples in, rows out; the report and summary.md show them.

import type { SampleRecord } from '../results/format.ts';
import { redactText } from '../redact.ts';

/** One collector with gaps. */
export interface CollectorGap {
  /** The collector (the samples' source). */
  source: string;
  /** Ticks on which every reading of the collector failed. */
  gapTicks: number;
  /** Ticks on which the collector wrote anything. */
  ticks: number;
  /** gapTicks / ticks: the share of the run the collector missed. */
  missedShare: number;
  /** The last failure's message, redacted. */
  lastError: string;
}

/**
 * Collectors with at least one gap tick, worst first. A tick is a gap when every sample the collector wrote at that time
 * is a null with an error; a flagged null beside real readings (Redis "maxmemory not set") is not a gap.
 */
export function collectorGaps(samples: readonly SampleRecord[]): CollectorGap[] {
  const bySource = new Map<string, Map<number, { failed: boolean; error?: string }>>();
  for (const s of samples) {
    let ticks = bySource.get(s.source);
    if (!ticks) bySource.set(s.source, (ticks = new Map()));
    const failed = s.value === null && s.error !== undefined && s.buckets === undefined;
    const tick = ticks.get(s.tMs);
    if (!tick) ticks.set(s.tMs, { failed, error: failed ? s.error : undefined });
    else if (!failed) tick.failed = false;
  }
  const out: CollectorGap[] = [];
  for (const [source, ticks] of bySource) {
    const gaps = [...ticks.entries()].filter(([, t]) => t.failed).sort((a, b) => a[0] - b[0]);
    if (gaps.length === 0) continue;
    const lastError = redactText(gaps.at(-1)![1].error ?? 'unknown error');
    out.push({ source, gapTicks: gaps.length, ticks: ticks.size, missedShare: gaps.length / ticks.size, lastError });
  }
  return out.sort((a, b) => b.missedShare - a.missedShare || a.source.localeCompare(b.source));
}

/** One line per collector with gaps: "prometheus missed 100% of the run (210 of 210 readings): <error>". */
export function collectorGapLines(gaps: readonly CollectorGap[]): string[] {
  return gaps.map((g) => `${g.source} missed ${pct(g.missedShare)} of the run (${g.gapTicks} of ${g.ticks} readings): ${g.lastError}`);
}

function pct(share: number): string {
  const p = share * 100;
  return `${p >= 10 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}
