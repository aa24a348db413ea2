import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketMean, histogramQuantile, mergeBuckets, toNumericBuckets, type AnyBuckets } from '../../src/metrics/buckets.ts';

const I = Infinity;
// 100 observations: 50 in (1,5], 40 in (25,50], 10 in (200,500]
const WIDE: AnyBuckets = [[1, 0], [5, 50], [10, 50], [25, 50], [50, 90], [100, 90], [200, 90], [500, 100], [I, 100]];
// 40 observations: 10 in (1,2], 20 in (2,4], 10 above 4
const B: AnyBuckets = [[1, 0], [2, 10], [4, 30], ['+Inf', 40]];

test('histogram quantiles follow Prometheus histogram_quantile, edge cases included (hand-computed)', () => {
  const table: Array<[string, number, AnyBuckets, number | null]> = [
    ['interpolates inside the bucket holding the rank', 0.5, WIDE, 5],
    ['rank 25 of 50 in (1,5]', 0.25, WIDE, 3],
    ['rank 70 in (25,50]', 0.7, WIDE, 37.5],
    ['rank 90: the top of (25,50]', 0.9, WIDE, 50],
    ['rank 95 in (200,500]', 0.95, WIDE, 350],
    ['rank 99 in (200,500]', 0.99, WIDE, 470],
    ['q = 1: the highest bucket that holds the last observation', 1, WIDE, 500],
    ['rank 20 in (2,4]', 0.5, B, 3],
    ['exactly the top of (1,2]', 0.25, B, 2],
    ['rank 4: 1 + 1 * 4/10', 0.1, B, 1.4],
    ['a rank in +Inf: the highest finite bound, never extrapolated', 0.9, B, 4],
    ['q = 1 in +Inf: the highest finite bound', 1, B, 4],
    ['q = 0: the first bucket that holds anything, not an empty leading one', 0, B, 1],
    ['a quantile in the first bucket interpolates from zero', 0.5, [[10, 4], [I, 4]], 5],
    ['the first bucket, as a string +Inf', 0.5, [[10, 50], [100, 90], [1000, 100], ['+Inf', 100]], 10],
    ['a rank in +Inf with one finite bound', 0.99, [[10, 1], ['+Inf', 10]], 10],
    ['a rank in +Inf after two bounds', 0.99, [[100, 90], [1000, 95], [I, 100]], 1000],
    ['a first bound <= 0 is returned as is', 0.5, [[-1, 3], [5, 4], [I, 4]], -1],
    ['decreasing counts (a scrape race) are clamped: [10, 10, 20, 20]', 0.75, [[1, 10], [2, 8], [4, 20], [I, 20]], 3],
    ['unsorted buckets are sorted by bound first', 0.5, [[I, 4], [10, 4]], 5],
    ['empty buckets (zero count): null (PromQL NaN)', 0.95, [[1, 0], [I, 0]], null],
    ['no +Inf bucket: null', 0.95, [[1, 5], [2, 10]], null],
    ['only +Inf: null', 0.95, [[I, 10]], null],
    ['no bucket at all: null', 0.95, [], null],
    ['q NaN: null', NaN, [[1, 1], [I, 1]], null],
    ['a NaN count is dropped', 0.5, [[1, NaN], [10, 4], [I, 4]], 5],
    ['q < 0: -Inf', -0.1, [[1, 1], [I, 1]], -Infinity],
    ['q > 1: +Inf', 1.1, [[1, 1], [I, 1]], Infinity],
  ];
  for (const [what, q, buckets, want] of table) {
    const got = histogramQuantile(q, buckets);
    if (want === null || !Number.isFinite(want)) assert.equal(got, want, what);
    else assert.ok(got !== null && Math.abs(got - want) < 1e-9, `${what}: got ${got}, want ${want}`);
  }
});

test('bucket sets merge bound by bound, and differing layouts merge as step functions', () => {
  const table: Array<[string, AnyBuckets[], Array<[number, number]>]> = [
    ['same layout', [[[1, 1], [2, 3], ['+Inf', 3]], [[1, 0], [2, 2], ['+Inf', 5]]], [[1, 1], [2, 5], [I, 8]]],
    ['a missing bound counts as the bound below', [[[1, 1], [2, 3], ['+Inf', 3]], [[1, 2], ['+Inf', 4]]], [[1, 3], [2, 5], [I, 7]]],
    ['the other way round', [[[1, 1], [I, 2]], [[1, 3], [5, 4], [I, 5]]], [[1, 4], [5, 5], [I, 7]]],
    ['nothing to merge', [], []],
  ];
  for (const [what, sets, want] of table) assert.deepEqual(mergeBuckets(sets), want, what);
  assert.deepEqual(toNumericBuckets([[5, 2], [1, 1]]), [[1, 1], [5, 2], [I, 2]], 'sorted, +Inf added');
});

test('the bucket mean uses midpoints, and the +Inf bucket counts at the highest finite bound', () => {
  // 10 in (1,2] at 1.5, 20 in (2,4] at 3, 10 in +Inf at 4 -> (15 + 60 + 40) / 40
  assert.equal(bucketMean(toNumericBuckets(B)), 115 / 40);
  assert.equal(bucketMean([]), null);
});
