import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hdr from 'hdr-histogram-js';
import { createHistogram, encodeHistogram, mergeEncoded, recordLatencyUs } from '../../src/metrics/histogram.ts';
import { DenseHist } from '../../src/report/fast-hist.ts';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const cases: Array<{ name: string; parts: number; perPart: number; spread: (r: number) => number }> = [
  { name: 'one histogram of fast requests', parts: 1, perPart: 500, spread: (r) => 200 + r * 5_000 },
  { name: 'ten histograms spanning microseconds to a timeout', parts: 10, perPart: 300, spread: (r) => 1 + r ** 6 * 59_999_999 },
  { name: 'many small histograms with single values', parts: 40, perPart: 1, spread: (r) => 1000 + r * 900_000 },
];

for (const c of cases) {
  test(`merging ${c.name} gives the same percentiles as hdr-histogram-js`, () => {
    const rnd = seeded(c.parts * 7 + c.perPart);
    const encoded: string[] = [];
    for (let p = 0; p < c.parts; p++) {
      const h = createHistogram();
      for (let i = 0; i < c.perPart; i++) recordLatencyUs(h, c.spread(rnd()));
      encoded.push(encodeHistogram(h));
    }
    encoded.push('');
    const lib = mergeEncoded(encoded);
    const dense = new DenseHist();
    for (const e of encoded) dense.addEncoded(e);
    assert.equal(dense.total, lib.totalCount);
    const ps = [0.1, 1, 25, 50, 90, 95, 99, 99.9, 100];
    assert.deepEqual(dense.percentilesMs(ps), ps.map((p) => lib.getValueAtPercentile(p) / 1000));
    assert.ok(Math.abs((dense.maxMs() ?? 0) - lib.maxValue / 1000) <= (lib.maxValue / 1000) * 0.001 + 0.001);
    dense.reset();
    assert.equal(dense.percentileMs(50), null);
    dense.addEncoded(encoded[0]);
    assert.equal(dense.percentileMs(50), mergeEncoded([encoded[0]]).getValueAtPercentile(50) / 1000, 'reset clears every count');
  });
}

test('a histogram built with other bounds is re-bucketed into the same layout', () => {
  const other = hdr.build({ lowestDiscernibleValue: 1000, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2, bitBucketSize: 32, useWebAssembly: false });
  for (let i = 1; i <= 100; i++) other.recordValue(i * 10_000);
  const p50 = new DenseHist().addEncoded(hdr.encodeIntoCompressedBase64(other)).percentileMs(50) ?? 0;
  assert.ok(p50 > 480 && p50 < 520, `p50 ${p50}`);
});

test('an empty histogram has no percentile and no max', () => {
  const h = new DenseHist().addEncoded('');
  assert.equal(h.percentileMs(95), null);
  assert.equal(h.maxMs(), null);
});
