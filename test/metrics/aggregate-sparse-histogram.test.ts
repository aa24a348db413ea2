import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hdr from 'hdr-histogram-js';
import { createHistogram, encodeHistogram, mergeEncoded, recordLatencyUs } from '../../src/metrics/histogram.ts';
import { decodeSparse, mergeEncodedSparse, WindowHistogram } from '../../src/metrics/sparse-histogram.ts';
import { seededRandom } from '../../src/engine/random.ts';

test('sparse merging reads exactly what hdr-histogram-js reads: percentiles, mean, min, max and count', () => {
  const rand = seededRandom(7);
  const encoded: string[] = [''];
  for (let h = 0; h < 60; h++) {
    const hist = createHistogram();
    const n = Math.floor(rand() * 200);
    for (let i = 0; i < n; i++) recordLatencyUs(hist, Math.exp(rand() * 16)); // 1 us .. ~9 s, every bucket size
    if (h === 7) recordLatencyUs(hist, 60_000_000);
    encoded.push(encodeHistogram(hist));
  }
  const lib = mergeEncoded(encoded);
  const sparse = mergeEncodedSparse(encoded);
  assert.equal(sparse.totalCount, lib.totalCount);
  for (const p of [0, 0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100]) {
    assert.equal(sparse.percentileUs(p), lib.getValueAtPercentile(p), `p${p}`);
  }
  assert.equal(sparse.meanUs(), lib.mean);
  assert.equal(sparse.minUs(), lib.minNonZeroValue);
  assert.equal(sparse.maxUs(), lib.maxValue);
});

test('an empty merge reads null, and a histogram of another layout is re-bucketed into ours', () => {
  const empty = mergeEncodedSparse(['', '']);
  assert.equal(empty.totalCount, 0);
  assert.equal(empty.percentileUs(50), null);
  assert.equal(empty.meanUs(), null);
  const foreign = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 2, useWebAssembly: false });
  for (const v of [100, 2000, 30_000]) foreign.recordValue(v);
  const sparse = mergeEncodedSparse([hdr.encodeIntoCompressedBase64(foreign)]);
  assert.equal(sparse.totalCount, 3);
  const p50 = sparse.percentileUs(50) ?? 0;
  assert.ok(Math.abs(p50 - 2000) / 2000 < 0.01, String(p50));
});

test('a sliding window histogram reads the same percentiles as a fresh merge of what is inside it', () => {
  const rand = seededRandom(11);
  const seconds = Array.from({ length: 30 }, () => {
    const hist = createHistogram();
    for (let i = 0; i < 100; i++) recordLatencyUs(hist, 1000 + rand() * (rand() < 0.05 ? 5_000_000 : 50_000));
    return encodeHistogram(hist);
  });
  const window = new WindowHistogram();
  for (let end = 0; end < seconds.length; end++) {
    window.apply(decodeSparse(seconds[end]), 1);
    if (end >= 10) window.apply(decodeSparse(seconds[end - 10]), -1);
    const inside = seconds.slice(Math.max(0, end - 9), end + 1);
    const lib = mergeEncoded(inside);
    assert.equal(window.totalCount, lib.totalCount);
    for (const p of [50, 95, 99, 99.9]) assert.equal(window.percentileUs(p), lib.getValueAtPercentile(p), `end ${end} p${p}`);
  }
  assert.equal(new WindowHistogram().percentileUs(50), null);
});

const mergeCases: Array<{ name: string; parts: number; perPart: number; spread: (r: number) => number }> = [
  { name: 'one histogram of fast requests', parts: 1, perPart: 500, spread: (r) => 200 + r * 5_000 },
  { name: 'ten histograms spanning microseconds to a timeout', parts: 10, perPart: 300, spread: (r) => 1 + r ** 6 * 59_999_999 },
  { name: 'many small histograms with single values', parts: 40, perPart: 1, spread: (r) => 1000 + r * 900_000 },
];

for (const c of mergeCases) {
  test(`merging ${c.name} reads the same percentiles in one pass as hdr-histogram-js, and clear empties it`, () => {
    const rnd = seededRandom(c.parts * 7 + c.perPart);
    const encoded: string[] = [];
    for (let p = 0; p < c.parts; p++) {
      const h = createHistogram();
      for (let i = 0; i < c.perPart; i++) recordLatencyUs(h, c.spread(rnd()));
      encoded.push(encodeHistogram(h));
    }
    encoded.push('');
    const lib = mergeEncoded(encoded);
    const sparse = mergeEncodedSparse(encoded);
    assert.equal(sparse.totalCount, lib.totalCount);
    const ps = [0, 0.1, 1, 25, 50, 90, 95, 99, 99.9, 100];
    assert.deepEqual(sparse.percentilesUs(ps), ps.map((p) => lib.getValueAtPercentile(p)));
    assert.equal(sparse.maxUs(), lib.maxValue);
    sparse.clear();
    assert.equal(sparse.totalCount, 0);
    assert.equal(sparse.percentileUs(50), null);
    assert.deepEqual(sparse.percentilesUs([50, 99]), [null, null]);
    sparse.merge(decodeSparse(encoded[0]));
    assert.equal(sparse.percentileUs(50), mergeEncoded([encoded[0]]).getValueAtPercentile(50), 'clear removes every count');
  });
}

test('a histogram built with a coarser lowest value and fewer digits is re-bucketed into the same layout', () => {
  const other = hdr.build({ lowestDiscernibleValue: 1000, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2, bitBucketSize: 32, useWebAssembly: false });
  for (let i = 1; i <= 100; i++) other.recordValue(i * 10_000);
  const p50 = mergeEncodedSparse([hdr.encodeIntoCompressedBase64(other)]).percentileUs(50) ?? 0;
  assert.ok(p50 > 480_000 && p50 < 520_000, `p50 ${p50}`);
});

test('an empty histogram has no percentile and no max', () => {
  const h = mergeEncodedSparse(['']);
  assert.equal(h.percentileUs(95), null);
  assert.deepEqual(h.percentilesUs([50, 95]), [null, null]);
  assert.equal(h.maxUs(), null);
});
