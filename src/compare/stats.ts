// Small statistics of the regression gate: moments, Benjamini–Hochberg, and the automatic block length of
// Politis & White (2004, corrected by Patton, Politis & White 2009). Pure: numbers in, numbers out.

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n - 1 in the denominator); 0 for fewer than two values. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/**
 * Benjamini–Hochberg adjusted p-values (step-up, 1995): a discovery at false-discovery rate q is any p whose adjusted
 * value is <= q. Non-finite inputs are treated as 1 and not counted in m.
 */
export function benjaminiHochberg(ps: readonly number[]): number[] {
  const idx = ps.map((p, i) => [p, i] as const).filter(([p]) => Number.isFinite(p));
  const m = idx.length;
  const out = ps.map(() => 1);
  idx.sort((a, b) => a[0] - b[0]);
  let running = 1;
  for (let r = m; r >= 1; r--) {
    const [p, i] = idx[r - 1];
    running = Math.min(running, (p * m) / r);
    out[i] = Math.min(1, running);
  }
  return out;
}

/**
 * Adaptive Benjamini–Hochberg, the two-stage procedure of Benjamini, Krieger & Yekutieli (2006): stage one runs BH at
 * q / (1 + q) and counts its discoveries r1; stage two runs BH at q / (1 + q) * m / (m - r1), which spends the level
 * on the hypotheses still believed null. Returned as adjusted p-values to compare with q (still controlling the
 * false-discovery rate at q), and r1 for the level a lone discovery needs.
 */
export function adaptiveBenjaminiHochberg(ps: readonly number[], q: number): { adjusted: number[]; stageOne: number; m: number } {
  const bh = benjaminiHochberg(ps);
  const m = ps.filter((p) => Number.isFinite(p)).length;
  if (m <= 1) return { adjusted: bh, stageOne: bh.filter((a) => a <= q).length, m };
  const qPrime = q / (1 + q);
  const stageOne = bh.filter((a, i) => Number.isFinite(ps[i]) && a <= qPrime).length;
  const factor = (1 + q) * (Math.max(1, m - stageOne) / Math.max(1, m));
  return { adjusted: bh.map((a) => Math.min(1, a * factor)), stageOne, m };
}

/** Autocovariances R(0..maxLag) of a series around its mean (divided by n, as in Politis & White). */
export function autocovariances(xs: ArrayLike<number>, maxLag: number): number[] {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i];
  m /= n;
  const out: number[] = [];
  for (let k = 0; k <= maxLag; k++) {
    let s = 0;
    for (let i = 0; i + k < n; i++) s += (xs[i] - m) * (xs[i + k] - m);
    out.push(s / n);
  }
  return out;
}

/** The flat-top (trapezoid) lag window of Politis & Romano (1995). */
function flatTop(t: number): number {
  const a = Math.abs(t);
  return a <= 0.5 ? 1 : a <= 1 ? 2 * (1 - a) : 0;
}

/**
 * The automatic block length of the circular block bootstrap for a series, by Politis & White (2004) with the
 * correction of Patton, Politis & White (2009): pick the bandwidth M from the first run of K_N insignificant
 * autocorrelations, estimate G = sum |k| R(k) and g(0) = sum R(k) with the flat-top window, and return
 * (2 G^2 / D)^(1/3) n^(1/3) with D = (4/3) g(0)^2, rounded and held within [1, min(3 sqrt(n), n / 3)].
 */
export function automaticBlockLength(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 8) return 1;
  const bMax = Math.max(1, Math.ceil(Math.min(3 * Math.sqrt(n), n / 3)));
  const kN = Math.max(5, Math.ceil(Math.sqrt(Math.log10(n))));
  const mMax = Math.min(n - 1, Math.ceil(Math.sqrt(n)) + kN);
  const R = autocovariances(xs, mMax);
  if (R[0] <= 0) return 1;
  const crit = 2 * Math.sqrt(Math.log10(n) / n);
  let mHat = mMax;
  for (let m = 1; m + kN - 1 <= mMax; m++) {
    let quiet = true;
    for (let k = 0; k < kN && quiet; k++) quiet = Math.abs(R[m + k] / R[0]) < crit;
    if (quiet) {
      mHat = m - 1;
      break;
    }
  }
  if (mHat === 0) return 1;
  const M = Math.min(2 * mHat, mMax);
  let G = 0;
  let g0 = R[0];
  for (let k = 1; k <= M; k++) {
    const w = flatTop(k / M);
    G += 2 * w * k * R[k];
    g0 += 2 * w * R[k];
  }
  const D = (4 / 3) * g0 * g0;
  if (!(D > 0) || G === 0) return 1;
  const b = Math.round(Math.cbrt((2 * G * G) / D) * Math.cbrt(n));
  return Math.min(bMax, Math.max(1, b));
}
