import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cumulativeWeights, pickWeighted, seededRandom } from '../../src/engine/random.ts';

test('the seeded PRNG is reproducible and stays in [0, 1)', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  for (let i = 0; i < 1000; i++) {
    const x = a();
    assert.equal(x, b());
    assert.ok(x >= 0 && x < 1, String(x));
  }
  assert.notEqual(seededRandom(1)(), seededRandom(2)());
});

test('weighted picks follow the weights', () => {
  const table: Array<{ weights: Array<number | undefined>; expected: number[] }> = [
    { weights: [6, 3, 1], expected: [0.6, 0.3, 0.1] },
    { weights: [undefined], expected: [1] },
    { weights: [1, undefined], expected: [0.5, 0.5] },
    { weights: [0, 1], expected: [0, 1] },
  ];
  for (const { weights, expected } of table) {
    const cum = cumulativeWeights(weights);
    const rnd = seededRandom(7);
    const counts = new Array(weights.length).fill(0);
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[pickWeighted(cum, rnd())]++;
    counts.forEach((c, i) => assert.ok(Math.abs(c / n - expected[i]!) < 0.02, `weights ${weights}: index ${i} got ${c / n}`));
  }
});

test('pickWeighted maps the edges of [0, 1) to the first and last index', () => {
  const cum = cumulativeWeights([1, 1, 2]);
  assert.equal(pickWeighted(cum, 0), 0);
  assert.equal(pickWeighted(cum, 0.2499), 0);
  assert.equal(pickWeighted(cum, 0.25), 1);
  assert.equal(pickWeighted(cum, 0.9999), 2);
});
