// Live progress, as a listener on a RunHandle: one refreshing line on a TTY, a plain line every 10 s otherwise.

import type { Writable } from 'node:stream';
import type { IntervalRecord } from '../results/format.ts';
import { createHistogram, decodeHistogram } from '../metrics/histogram.ts';
import type { RunHandle } from './run-handle.ts';

/** One progress snapshot, from the latest interval. */
export interface ProgressLine {
  elapsedMs: number;
  plannedMs: number;
  phase?: string;
  vus: number;
  reqPerS: number;
  p95Ms: number | null;
  errorRate: number;
}

/** Summarises one interval's records into a progress snapshot. */
export function progressOf(records: IntervalRecord[], loadStartMs: number, plannedMs: number): ProgressLine | null {
  const tick = records.find((r) => r.type === 'tick');
  if (!tick || tick.type !== 'tick') return null;
  const hist = createHistogram();
  let count = 0;
  let failed = 0;
  for (const r of records) {
    if (r.type !== 'req') continue;
    count += r.count;
    failed += r.failed;
    if (r.okHist) hist.add(decodeHistogram(r.okHist));
    if (r.failHist) hist.add(decodeHistogram(r.failHist));
  }
  return {
    elapsedMs: tick.tMs + tick.intervalMs - loadStartMs,
    plannedMs,
    phase: tick.phase,
    vus: tick.vus,
    reqPerS: (count * 1000) / tick.intervalMs,
    p95Ms: hist.totalCount ? hist.getValueAtPercentile(95) / 1000 : null,
    errorRate: count ? failed / count : 0,
  };
}

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Formats a snapshot as one line. */
export function formatProgress(p: ProgressLine): string {
  const parts = [
    `${seconds(p.elapsedMs)}/${seconds(p.plannedMs)}`,
    p.phase ? `phase ${p.phase}` : '',
    `VUs ${p.vus} active`,
    `${p.reqPerS.toFixed(0)} req/s`,
    `p95 ${p.p95Ms === null ? '-' : `${p.p95Ms.toFixed(1)} ms`}`,
    `errors ${(p.errorRate * 100).toFixed(2)}%`,
  ];
  return parts.filter(Boolean).join(' | ');
}

/** Shows progress for a run on `stream`; returns a function that detaches it. */
export function attachProgress(handle: RunHandle, stream: Writable & { isTTY?: boolean; columns?: number }, plannedMs: () => number): () => void {
  const tty = Boolean(stream.isTTY);
  let firstTMs: number | undefined;
  let lastPrinted = 0;
  let shown = false;
  const onTick = (records: IntervalRecord[]) => {
    const tick = records.find((r) => r.type === 'tick');
    if (!tick) return;
    firstTMs ??= tick.tMs;
    const p = progressOf(records, firstTMs, plannedMs());
    if (!p) return;
    const line = formatProgress(p);
    if (tty) {
      const width = Math.max(20, (stream.columns ?? 100) - 1);
      stream.write(`\r${line.slice(0, width).padEnd(width)}`);
      shown = true;
    } else if (p.elapsedMs - lastPrinted >= 10_000) {
      lastPrinted = p.elapsedMs;
      stream.write(`${line}\n`);
    }
  };
  const onDone = () => {
    if (tty && shown) stream.write('\n');
  };
  handle.on('tick', onTick);
  handle.on('done', onDone);
  return () => {
    handle.off('tick', onTick);
    handle.off('done', onDone);
    onDone();
  };
}
