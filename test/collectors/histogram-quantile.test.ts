import { test } from 'node:test';
import assert from 'node:assert/strict';
import { histogramQuantile, mergeBuckets } from '../../src/collectors/histogram-quantile.ts';

const I = Infinity;

test('quantiles interpolate linearly inside the bucket holding the rank (hand-computed)', () => {
  // 100 observations: 50 in (0,5], 40 in (25,50], 10 in (200,500]
  const b: Array<[number, number]> = [[1, 0], [5, 50], [10, 50], [25, 50], [50, 90], [100, 90], [200, 90], [500, 100], [I, 100]];
  const cases: Array<[number, number]> = [
    [0.5, 5], // rank 50 in (1,5]: 1 + 4 * 50/50
    [0.25, 3], // rank 25: 1 + 4 * 25/50
    [0.7, 37.5], // rank 70 in (25,50]: 25 + 25 * 20/40
    [0.9, 50], // rank 90: top of (25,50]
    [0.95, 350], // rank 95 in (200,500]: 200 + 300 * 5/10
    [0.99, 470], // rank 99: 200 + 300 * 9/10
    [1, 500],
  ];
  for (const [q, expected] of cases) assert.ok(Math.abs((histogramQuantile(q, b) as number) - expected) < 1e-9, `q=${q}`);
});

test('the first bucket interpolates from zero', () => {
  assert.equal(histogramQuantile(0.5, [[10, 4], [I, 4]]), 5);
});

test('a rank in the +Inf bucket returns the highest finite bound, never extrapolating', () => {
  assert.equal(histogramQuantile(0.99, [[100, 90], [1000, 95], [I, 100]]), 1000);
});

test('empty, unterminated or too small histograms give null', () => {
  assert.equal(histogramQuantile(0.95, [[1, 0], [I, 0]]), null);
  assert.equal(histogramQuantile(0.95, [[1, 5], [2, 10]]), null);
  assert.equal(histogramQuantile(0.95, [[I, 10]]), null);
  assert.equal(histogramQuantile(0.95, []), null);
  assert.equal(histogramQuantile(NaN, [[1, 1], [I, 1]]), null);
});

test('out-of-range quantiles give infinities, as PromQL does', () => {
  assert.equal(histogramQuantile(-0.1, [[1, 1], [I, 1]]), -Infinity);
  assert.equal(histogramQuantile(1.1, [[1, 1], [I, 1]]), Infinity);
});

test('non-monotonic counts (a scrape race) are clamped instead of producing nonsense', () => {
  // clamped to [10, 10, 20, 20]: rank 15 falls in (2,4] with 10 below and 10 inside: 2 + 2 * 5/10
  assert.equal(histogramQuantile(0.75, [[1, 10], [2, 8], [4, 20], [I, 20]]), 3);
});

test('unsorted buckets are sorted by bound first', () => {
  assert.equal(histogramQuantile(0.5, [[I, 4], [10, 4]]), 5);
});

test('merging bucket sets adds counts bound by bound', () => {
  assert.deepEqual(mergeBuckets([[[1, 1], [I, 2]], [[1, 3], [5, 4], [I, 5]]]), [[1, 4], [5, 4], [I, 7]]);
});
