// HDR latency histograms: integer microseconds, 1 us to 60 s, 3 significant digits (see DESIGN.md "Metrics").
// Histograms are merged, never averaged; percentiles come from the merged histogram.

import * as hdr from 'hdr-histogram-js';

/** The hdr-histogram-js histogram type. */
export type LatencyHistogram = hdr.Histogram;

/** Lowest and highest trackable latency, in microseconds. */
export const HIST_LOWEST_US = 1;
export const HIST_HIGHEST_US = 60_000_000;

/** Creates an empty latency histogram with perfgate's bounds. */
export function createHistogram(): LatencyHistogram {
  return hdr.build({
    lowestDiscernibleValue: HIST_LOWEST_US,
    highestTrackableValue: HIST_HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    autoResize: false,
    useWebAssembly: false,
  });
}

/** Records one latency in microseconds, clamped into the histogram's bounds and rounded to an integer. */
export function recordLatencyUs(hist: LatencyHistogram, latencyUs: number): void {
  const v = Math.round(latencyUs);
  hist.recordValue(v < HIST_LOWEST_US ? HIST_LOWEST_US : v > HIST_HIGHEST_US ? HIST_HIGHEST_US : v);
}

/** Encodes a histogram as compressed base64 ("" when it holds no value). */
export function encodeHistogram(hist: LatencyHistogram): string {
  return hist.totalCount === 0 ? '' : hdr.encodeIntoCompressedBase64(hist);
}

/** Decodes an encoded histogram ("" gives an empty one). */
export function decodeHistogram(encoded: string): LatencyHistogram {
  if (!encoded) return createHistogram();
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  const hist = createHistogram();
  hist.add(decoded);
  return hist;
}

/** Merges encoded histograms into one (exact: counts are added bucket by bucket). */
export function mergeEncoded(encoded: Iterable<string>, into: LatencyHistogram = createHistogram()): LatencyHistogram {
  for (const e of encoded) if (e) into.add(hdr.decodeFromCompressedBase64(e, 32, false));
  return into;
}

/** Summary values of a histogram in milliseconds, k6 names: avg, min, med, max, p(90), p(95), p(99), count. */
export function trendValuesMs(hist: LatencyHistogram, extraPercentiles: number[] = []): Record<string, number> {
  if (hist.totalCount === 0) return { count: 0 };
  const out: Record<string, number> = {
    avg: hist.mean / 1000,
    min: hist.minNonZeroValue / 1000,
    med: hist.getValueAtPercentile(50) / 1000,
    max: hist.maxValue / 1000,
    'p(90)': hist.getValueAtPercentile(90) / 1000,
    'p(95)': hist.getValueAtPercentile(95) / 1000,
    'p(99)': hist.getValueAtPercentile(99) / 1000,
    count: hist.totalCount,
  };
  for (const p of extraPercentiles) out[`p(${p})`] = hist.getValueAtPercentile(p) / 1000;
  return out;
}

/** The value at a percentile (0..100) in milliseconds, or null when empty. */
export function percentileMs(hist: LatencyHistogram, percentile: number): number | null {
  return hist.totalCount === 0 ? null : hist.getValueAtPercentile(percentile) / 1000;
}
