import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchCdf, zipfCdf, zipfProbabilities } from '../../src/scenario/zipf.ts';
import { createFeeders, zipfExponent, type LoadedFeeder } from '../../src/scenario/feeders.ts';
import { validateScenario } from '../../src/scenario/schema.ts';
import { ConfigError } from '../../src/errors.ts';
import type { DataFeeder } from '../../src/scenario/types.ts';

const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

test('Zipf probabilities are 1/k^s over the generalised harmonic number', () => {
  const table: Array<{ n: number; s: number; expected: number[] }> = [
    { n: 1, s: 1, expected: [1] },
    { n: 3, s: 1, expected: [6 / 11, 3 / 11, 2 / 11] },
    { n: 2, s: 2, expected: [0.8, 0.2] },
    { n: 4, s: 0.5, expected: [1, 2 ** -0.5, 3 ** -0.5, 0.5].map((w, _, all) => w / all.reduce((a, b) => a + b)) },
  ];
  for (const { n, s, expected } of table) {
    const p = [...zipfProbabilities(n, s)];
    assert.ok(p.every((x, i) => close(x, expected[i]!)), `Zipf(${n}, ${s}): ${p}`);
  }
});

test('the cumulative table ends at exactly 1 and bisection maps [0, 1) onto every rank', () => {
  const cdf = zipfCdf(3, 1); // 6/11, 9/11, 1
  assert.ok(close(cdf[0]!, 6 / 11) && close(cdf[1]!, 9 / 11), String(cdf));
  assert.equal(cdf[2], 1);
  const table: Array<[u: number, rank: number]> = [
    [0, 0],
    [cdf[0]! - 1e-9, 0],
    [cdf[0]!, 1],
    [cdf[1]! - 1e-9, 1],
    [cdf[1]!, 2],
    [1 - 2 ** -32, 2],
  ];
  for (const [u, rank] of table) assert.equal(searchCdf(cdf, u), rank, `u = ${u}`);
});

test("the exponent of a pick: 'zipf' is 1, { zipf: s } is s, other modes have none", () => {
  const table: Array<[DataFeeder['pick'], number | undefined]> = [
    ['zipf', 1],
    [{ zipf: 1.1 }, 1.1],
    ['random', undefined],
    ['unique', undefined],
    [undefined, undefined],
  ];
  for (const [pick, s] of table) assert.equal(zipfExponent(pick), s, JSON.stringify(pick));
});

const ROWS = 200;
const DRAWS = 100_000;
/** The chi-square critical value for 199 degrees of freedom (200 ranks) at significance 0.001. */
const CHI2_CRITICAL_DF199_P001 = 266.39;

/** Counts per row of 100,000 picks of a feeder over rows 0..199 (100 VUs x 1,000 iterations, seed 42). */
function rankCounts(pick: LoadedFeeder['pick']): number[] {
  const f = createFeeders([{ name: 'row', values: Array.from({ length: ROWS }, (_, i) => i), pick, file: 'rows.csv' }], 42);
  const counts = new Array<number>(ROWS).fill(0);
  for (let vu = 1; vu <= 100; vu++) {
    for (let it = 0; it < DRAWS / 100; it++) counts[f.next(vu, it).row as number]!++;
  }
  return counts;
}

/** Pearson's chi-square statistic of observed counts against Zipf(ROWS, s). */
function chiSquare(counts: number[], s: number): number {
  const p = zipfProbabilities(ROWS, s);
  return counts.reduce((sum, observed, k) => {
    const expected = DRAWS * p[k]!; // at least 85 (rank 200, s = 1.1 gives 52): the chi-square approximation holds
    return sum + (observed - expected) ** 2 / expected;
  }, 0);
}

for (const [pick, s] of [['zipf', 1], [{ zipf: 1.1 }, 1.1]] as const) {
  test(`over 100,000 draws the ranks of pick ${JSON.stringify(pick)} follow Zipf(${s}) (chi-square, df 199, p = 0.001)`, () => {
    const counts = rankCounts(pick);
    const stat = chiSquare(counts, s);
    assert.ok(stat < CHI2_CRITICAL_DF199_P001, `chi-square ${stat.toFixed(1)} >= ${CHI2_CRITICAL_DF199_P001}`);
    assert.ok(counts[0]! > counts[1]! && counts[1]! > counts[9]! && counts[9]! > counts[199]!, 'the file order is the rank order');
  });
}

test('the chi-square check has power: uniform picks and the wrong exponent are rejected', () => {
  assert.ok(chiSquare(rankCounts('random'), 1) > 10 * CHI2_CRITICAL_DF199_P001);
  assert.ok(chiSquare(rankCounts({ zipf: 1.2 }), 1) > CHI2_CRITICAL_DF199_P001);
});

test('zipf picks are a function of seed, VU and iteration, whatever the order of calls', () => {
  const feeder = (seed: number) => createFeeders([{ name: 't', values: ['a', 'b', 'c', 'd'], pick: 'zipf', file: 't.csv' }], seed);
  const a = feeder(7);
  const forward = Array.from({ length: 50 }, (_, i) => a.next((i % 5) + 1, Math.floor(i / 5)).t);
  const b = feeder(7);
  const backward = Array.from({ length: 50 }, (_, i) => 49 - i).map((i) => b.next((i % 5) + 1, Math.floor(i / 5)).t).reverse();
  assert.deepEqual(backward, forward);
  const c = feeder(8);
  assert.notDeepEqual(Array.from({ length: 50 }, (_, i) => c.next((i % 5) + 1, Math.floor(i / 5)).t), forward);
});

test('a zipf pick with an exponent that is not a positive number is a ConfigError naming the field', () => {
  const table: Array<[unknown, string]> = [
    [{ zipf: 0 }, 'data.t.pick.zipf: must be more than 0, got 0'],
    [{ zipf: -1 }, 'data.t.pick.zipf: must be more than 0, got -1'],
    ['zipff', 'data.t.pick: must be one of "random", "sequential", "unique", "zipf" or { zipf: exponent }, got "zipff"'],
  ];
  for (const [pick, message] of table) {
    const def = {
      name: 'z',
      target: { baseUrl: 'http://127.0.0.1:8080' },
      load: { executor: 'constant-vus', vus: 1, duration: '1s' },
      journeys: [{ name: 'j', steps: [{ name: 's', path: '/{{t}}' }] }],
      data: { t: { file: 'fixtures/tickers.csv', pick } },
    };
    assert.throws(
      () => validateScenario(def as never),
      (err: unknown) => err instanceof ConfigError && err.issues.some((i) => `${i.path}: ${i.message}` === message),
      JSON.stringify(pick),
    );
  }
});
