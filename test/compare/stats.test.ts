// Table tests of the pure parts of the regression gate: Benjamini–Hochberg, block length, bootstrap, the tests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/engine/random.ts';
import { bootstrapLogVariance } from '../../src/compare/bootstrap.ts';
import { errorRateTest, predictionTest, singleBaselineTest } from '../../src/compare/judge.ts';
import { adaptiveBenjaminiHochberg, automaticBlockLength, benjaminiHochberg } from '../../src/compare/stats.ts';
import { decide, decideErrorRate } from '../../src/compare/verdict.ts';
import { digamma, fitVariancePrior, moderateVariance, trigamma, trigammaInverse } from '../../src/compare/moderate.ts';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} is not within ${tol} of ${b}`);

test('Benjamini–Hochberg adjusts p-values step-up, as the 1995 paper does', () => {
  const cases: Array<[number[], number[]]> = [
    [[0.01, 0.04, 0.03, 0.2], [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2]],
    [[0.001], [0.001]],
    [[0.5, 0.5], [0.5, 0.5]],
    [[NaN, 0.02, 0.03], [1, 0.03, 0.03]],
  ];
  for (const [ps, want] of cases) benjaminiHochberg(ps).forEach((a, i) => close(a, want[i], 1e-12, `BH(${ps})[${i}]`));
});

test('adaptive Benjamini–Hochberg (two-stage) spends the level on the hypotheses still believed null', () => {
  // Stage one (BH at 0.05/1.05) finds 3 of 4; stage two runs at 0.05/1.05 * 4/1.
  const a = adaptiveBenjaminiHochberg([0.001, 0.02, 0.03, 0.5], 0.05);
  assert.equal(a.stageOne, 3);
  assert.deepEqual(a.adjusted.map((x) => x <= 0.05), [true, true, true, false]);
  // Nothing found in stage one: as BH at q / (1 + q).
  const none = adaptiveBenjaminiHochberg([0.03, 0.6, 0.7, 0.9], 0.05);
  assert.equal(none.stageOne, 0);
  close(none.adjusted[0], 0.12 * 1.05, 1e-12, 'adjusted');
});

function ar1(n: number, phi: number, seed: number): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  let x = 0;
  for (let i = 0; i < n; i++) {
    x = phi * x + (r() - 0.5);
    out[i] = x;
  }
  return out;
}

test('the automatic block length is near the optimum of the theory for AR(1) series (Politis & White)', () => {
  // Optimal circular-block length for the mean of AR(1): (1.5 (2 phi / (1 - phi^2))^2)^(1/3) n^(1/3):
  // 0 for phi 0 (held at 1), 17 for phi 0.5, 62 for phi 0.9 at n = 1,800.
  const rows: Array<[number, number, number]> = [
    [0, 1, 3],
    [0.5, 10, 26],
    [0.9, 40, 90],
  ];
  for (const [phi, lo, hi] of rows) {
    const b = automaticBlockLength(ar1(1800, phi, 7));
    assert.ok(b >= lo && b <= hi, `phi ${phi}: block length ${b} not in [${lo}, ${hi}]`);
  }
  assert.ok(automaticBlockLength(ar1(1800, 0.9, 7)) > automaticBlockLength(ar1(1800, 0.5, 7)));
  assert.equal(automaticBlockLength(new Float64Array(5)), 1);
});

test('the block bootstrap of a mean recovers the long-run variance of an AR(1) series', () => {
  // Mean of n AR(1) values (innovations uniform, variance 1/12): long-run variance sigma^2 / (1 - phi)^2 / n.
  const n = 2000;
  const phi = 0.6;
  const series = ar1(n, phi, 11).map((x) => x + 10);
  const s = { rows: series, n, d: 1, driver: series, stat: (col: (j: number) => number) => col(0) / n };
  const got = bootstrapLogVariance(s, { seed: 3, replicates: 400 });
  assert.ok(got);
  const trueVar = 1 / 12 / (1 - phi) ** 2 / n / 100; // log scale: var(mean) / mean^2
  assert.ok(got.logVariance > trueVar * 0.6 && got.logVariance < trueVar * 1.5, `bootstrap ${got.logVariance} vs ${trueVar}`);
  assert.deepEqual(bootstrapLogVariance(s, { seed: 3, replicates: 400 }), got, 'same seed, same answer');
});

test('the prediction-interval test uses t(k-1) and s * sqrt(1 + 1/k)', () => {
  const base = [0, 0.02, -0.02, 0.01, -0.01];
  const t = predictionTest(base, 0.1, 'higher-is-worse', 0.001);
  const s = Math.sqrt((0.0004 * 2 + 0.0001 * 2) / 4);
  close(t.se, s * Math.sqrt(1.2), 1e-12, 'se');
  assert.equal(t.df, 4);
  assert.ok(t.pWorse < 0.005 && t.pBetter > 0.99);
  close(t.interval[0], Math.exp(0.1 - 2.1318467819779605 * t.se), 1e-9, 'lower bound');
  const lower = predictionTest(base, 0.1, 'lower-is-worse', 0.001);
  close(lower.pBetter, t.pWorse, 1e-12, 'direction swaps the sides');
  const flat = predictionTest([0, 0, 0], 0.002, 'higher-is-worse', 0.01);
  assert.ok(flat.pWorse > 0.3, 'identical baselines: the resolution floor keeps a tiny difference insignificant');
});

test('one baseline: the difference carries both within-run variances and twice the run-to-run variance', () => {
  const t = singleBaselineTest(0, 0.05, 'higher-is-worse', { baseline: 0.0001, candidate: 0.0002 }, { sd: 0.05, df: Infinity, source: 'default', includesWithinRun: false }, 0.001);
  close(t.se, Math.sqrt(0.0003 + 2 * 0.0025), 1e-12, 'se');
  assert.equal(t.noise, 'default');
  const learnt = singleBaselineTest(0, 0.05, 'higher-is-worse', { baseline: 0.0001, candidate: 0.0002 }, { sd: 0.02, df: 6, source: 'learnt', includesWithinRun: true }, 0.001);
  close(learnt.se, Math.sqrt(2 * 0.0004), 1e-12, 'learnt se');
  assert.equal(learnt.df, 6);
});

test('error rates: the exact conditional binomial test', () => {
  const rows: Array<{ b: [number, number]; c: [number, number]; worse: [number, number] }> = [
    { b: [0, 10000], c: [0, 10000], worse: [1, 1] },
    // 10 failures in all, equal request counts: P(X >= 10 | 10, 1/2) = 1/1024.
    { b: [0, 10000], c: [10, 10000], worse: [1 / 1024, 1 / 1024] },
    { b: [5, 10000], c: [5, 10000], worse: [0.6, 0.65] },
    { b: [50, 50000], c: [10, 10000], worse: [0.4, 0.6] },
  ];
  for (const r of rows) {
    const t = errorRateTest({ failed: r.b[0], total: r.b[1] }, { failed: r.c[0], total: r.c[1] });
    assert.ok(t.pWorse >= r.worse[0] - 1e-9 && t.pWorse <= r.worse[1] + 1e-9, `${JSON.stringify(r)}: pWorse ${t.pWorse}`);
  }
  const zero = errorRateTest({ failed: 0, total: 5000 }, { failed: 0, total: 5000 });
  close(zero.candidateUpper, 1 - 0.05 ** (1 / 5000), 1e-9, 'rule of three upper bound');
});

test('verdicts from adjusted p-values, the interval and the minimum effect', () => {
  const rows: Array<[number, number, [number, number], string, boolean]> = [
    [0.01, 0.99, [1.05, 1.2], 'regressed', true],
    [0.01, 0.99, [1.01, 1.05], 'regressed', false],
    [0.99, 0.01, [0.8, 0.95], 'improved', false],
    [0.5, 0.5, [0.95, 1.06], 'unchanged', false],
    [0.2, 0.8, [0.97, 1.25], 'inconclusive', false],
  ];
  for (const [pw, pb, worse, verdict, gated] of rows) {
    assert.deepEqual(decide({ pWorseAdj: pw, pBetterAdj: pb, worse, minEffect: 0.1 }), { verdict, gated }, `${pw} ${worse}`);
  }
  const er = { pWorseAdj: 0.01, pBetterAdj: 1, worse: [2, 8] as [number, number], minEffect: 0.1, baselineRate: 0.0001, candidateRate: 0.0005, candidateUpper: 0.0008 };
  assert.deepEqual(decideErrorRate(er), { verdict: 'regressed', gated: false }, 'a rise under 0.1 percentage point does not fail the gate');
  assert.deepEqual(decideErrorRate({ ...er, pWorseAdj: 0.5 }), { verdict: 'unchanged', gated: false }, 'any rise shown under 0.1 pp is unchanged');
  assert.deepEqual(decideErrorRate({ ...er, candidateRate: 0.01, candidateUpper: 0.012 }), { verdict: 'regressed', gated: true });
});

test('digamma, trigamma and its inverse match known values', () => {
  assert.ok(Math.abs(digamma(1) + 0.5772156649015329) < 1e-10);
  assert.ok(Math.abs(digamma(0.5) + 1.9635100260214235) < 1e-10);
  assert.ok(Math.abs(trigamma(1) - Math.PI ** 2 / 6) < 1e-9);
  assert.ok(Math.abs(trigamma(0.5) - Math.PI ** 2 / 2) < 1e-9);
  for (const x of [0.05, 0.7, 3.7, 42]) assert.ok(Math.abs(trigammaInverse(trigamma(x)) / x - 1) < 1e-8, `x ${x}`);
});

test('the variance prior recovers d0 and s0^2 from scaled inverse chi-square variances (Smyth 2004), and moderation shrinks towards it', () => {
  const rand = seededRandom(11);
  const chi2 = (df: number) => Array.from({ length: df }, () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand())).reduce((a, z) => a + z * z, 0);
  // sigma_g^2 ~ s0^2 d0 / chi2(d0), s_g^2 ~ sigma_g^2 chi2(d) / d, with d0 = 8, s0^2 = 0.0004, d = 4.
  const family = Array.from({ length: 4000 }, () => ({ variance: ((0.0004 * 8) / chi2(8)) * (chi2(4) / 4), df: 4 }));
  const prior = fitVariancePrior(family);
  assert.ok(prior);
  assert.ok(prior.df > 6.5 && prior.df < 10, `d0 ${prior.df}`);
  assert.ok(Math.abs(prior.variance / 0.0004 - 1) < 0.05, `s0^2 ${prior.variance}`);
  const same = fitVariancePrior([1, 2, 3].map(() => ({ variance: 0.0004, df: 4 })));
  assert.equal(same?.df, Infinity, 'equal variances: no spread beyond sampling');
  assert.equal(fitVariancePrior([{ variance: 1, df: 4 }, { variance: 2, df: 4 }]), null, 'fewer than 3 members');
  const m = moderateVariance(0.0009, 4, { df: 8, variance: 0.0004, members: 10, pooledDf: 10 });
  assert.ok(Math.abs(m.variance - (8 * 0.0004 + 4 * 0.0009) / 12) < 1e-12);
  assert.equal(m.df, 10, 'capped at the pooled degrees of freedom');
});
