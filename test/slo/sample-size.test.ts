import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFewSamples, minSamplesForAggregation, minSamplesForPercentile, percentileOfAggregation, MIN_TAIL_SAMPLES } from '../../src/slo/sample-size.ts';

test('a percentile needs ten samples beyond it: n * min(q, 1 - q) >= 10', () => {
  const table: Array<[number, number]> = [
    [95, 200], [99, 1000], [90, 100], [50, 20], [75, 40], [99.9, 10_000], [5, 200], [1, 1000], [97.5, 400], [0, 0], [100, 0],
  ];
  for (const [p, n] of table) assert.equal(minSamplesForPercentile(p), n, `p(${p})`);
  assert.equal(MIN_TAIL_SAMPLES, 10);
});

test('"few samples" marks the windows under the minimum and no others', () => {
  const table: Array<[number, number, boolean]> = [
    [16, 95, true], // the drill's outage window: 16 requests cannot bound a p95
    [199, 95, true], [200, 95, false], [5000, 95, false],
    [999, 99, true], [1000, 99, false],
    [19, 50, true], [20, 50, false],
    [0, 99, true], [1, 100, false], [1, 0, false],
  ];
  for (const [n, p, few] of table) assert.equal(isFewSamples(n, p), few, `n=${n} p(${p})`);
  assert.equal(isFewSamples(50, 95, 2), false, 'the minimum is a parameter');
});

test('the percentile an aggregation estimates: p(N) and med, nothing for the others', () => {
  const table: Array<[string, number | undefined]> = [['p(95)', 95], ['p(99.9)', 99.9], ['med', 50], ['avg', undefined], ['max', undefined], ['rate', undefined], ['count', undefined]];
  for (const [agg, p] of table) assert.equal(percentileOfAggregation(agg), p, agg);
});

test('a threshold aggregation needs the samples of its percentile, and any count for the others', () => {
  const table: Array<[string, number]> = [['p(95)', 200], ['p(99)', 1000], ['med', 20], ['avg', 0], ['rate', 0], ['max', 0]];
  for (const [agg, n] of table) assert.equal(minSamplesForAggregation(agg), n, agg);
});
