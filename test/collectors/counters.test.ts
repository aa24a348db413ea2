import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketDeltas, counterDelta, CounterTracker, HistogramTracker } from '../../src/collectors/counters.ts';

const I = Infinity;

test('counter deltas are differences, and a reset counts the new value as the increase', () => {
  const cases: Array<[number, number, number]> = [
    [10, 15, 5],
    [10, 10, 0],
    [100, 3, 3], // the process restarted and counted 3 since
    [100, 0, 0],
  ];
  for (const [prev, curr, expected] of cases) assert.equal(counterDelta(prev, curr), expected, `${prev}->${curr}`);
});

test('the tracker gives no change on the first reading, then deltas and per-second rates', () => {
  const t = new CounterTracker();
  assert.equal(t.update('x', 100, 0), undefined);
  assert.deepEqual(t.update('x', 150, 500), { delta: 50, ratePerS: 100, elapsedMs: 500, reset: false });
  assert.deepEqual(t.update('x', 20, 1500), { delta: 20, ratePerS: 20, elapsedMs: 1000, reset: true });
  assert.equal(t.update('x', 25, 1500)?.ratePerS, null);
  assert.equal(t.update('y', NaN, 0), undefined);
});

test('bucket deltas subtract bound by bound; a series that appears counts from zero', () => {
  assert.deepEqual(bucketDeltas([[1, 2], [I, 5]], [[1, 4], [I, 9]]), [[1, 2], [I, 4]]);
  assert.deepEqual(bucketDeltas([], [[1, 4], [I, 9]]), [[1, 4], [I, 9]]);
});

test('a histogram whose buckets go down was reset: the current buckets are the delta', () => {
  assert.deepEqual(bucketDeltas([[1, 20], [I, 50]], [[1, 3], [I, 4]]), [[1, 3], [I, 4]]);
  const h = new HistogramTracker();
  assert.equal(h.update('a', [[1, 1], [I, 1]]), undefined);
  assert.deepEqual(h.update('a', [[1, 1], [I, 3]]), [[1, 0], [I, 2]]);
});
