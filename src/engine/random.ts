// Seeded randomness for the engine: reproducible journey picks and think times per VU.

/** A mulberry32 PRNG: returns a function giving floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cumulative weights for pickWeighted; a missing weight counts as 1, and weights must not be negative. */
export function cumulativeWeights(weights: ReadonlyArray<number | undefined>): number[] {
  let sum = 0;
  return weights.map((w) => (sum += Math.max(0, w ?? 1)));
}

/** Index picked with probability proportional to its weight, for r in [0, 1). */
export function pickWeighted(cumulative: readonly number[], r: number): number {
  const total = cumulative[cumulative.length - 1] ?? 0;
  const x = r * total;
  // Linear scan: journeys are few.
  for (let i = 0; i < cumulative.length; i++) if (x < cumulative[i]!) return i;
  return cumulative.length - 1;
}
