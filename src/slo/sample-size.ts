// When a percentile is backed by too few samples to gate on. Pure.
//
// Rule: a percentile p(N) (and med, which is p(50)) over n samples is "few samples" when fewer than
// MIN_TAIL_SAMPLES samples lie beyond it on its near side: n * min(q, 1 - q) < 10, with q = N / 100.
// So p(95) needs 200 samples, p(99) 1,000, p(90) 100, med 20. p(0) and p(100) are the sample's min and max, exact
// values rather than estimates, and are never marked. See DESIGN.md "Sample size" for the reason and the sources.

/** Samples that must lie beyond a percentile for it to gate (the distribution-free CI stays inside the data). */
export const MIN_TAIL_SAMPLES = 10;

/** The fewest samples a percentile p (0..100) needs to gate on; 0 for p(0) and p(100), which are exact. */
export function minSamplesForPercentile(p: number, minTail = MIN_TAIL_SAMPLES): number {
  const q = p / 100;
  const tail = Math.min(q, 1 - q);
  if (!(tail > 0)) return 0;
  // In parts per billion, so that p(95)'s tail reads 0.05 exactly and not 0.050000000000000044.
  const tailPpb = Math.round(tail * 1e9);
  return Math.ceil((minTail * 1e9) / tailPpb);
}

/** Whether a percentile p (0..100) over `samples` observations is too few to gate on (the "few samples" mark). */
export function isFewSamples(samples: number, p: number, minTail = MIN_TAIL_SAMPLES): boolean {
  return samples < minSamplesForPercentile(p, minTail);
}

/** The percentile (0..100) an aggregation name estimates: `p(95)` gives 95, `med` 50; undefined for the others. */
export function percentileOfAggregation(aggregation: string): number | undefined {
  if (aggregation === 'med') return 50;
  const m = /^p\(\s*([0-9.eE+-]+)\s*\)$/.exec(aggregation);
  return m ? Number(m[1]) : undefined;
}

/** The fewest samples a threshold's aggregation (`p(95)`, `med`, `avg`...) needs to gate on; 0 when any count will do. */
export function minSamplesForAggregation(aggregation: string, minTail = MIN_TAIL_SAMPLES): number {
  const p = percentileOfAggregation(aggregation);
  return p === undefined ? 0 : minSamplesForPercentile(p, minTail);
}
