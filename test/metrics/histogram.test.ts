import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createHistogram,
  recordLatencyUs,
  encodeHistogram,
  decodeHistogram,
  mergeEncoded,
  trendValuesMs,
  percentileMs,
  HIST_HIGHEST_US,
} from '../../src/metrics/histogram.ts';

test('a histogram survives encoding and decoding with its counts intact', () => {
  const h = createHistogram();
  for (let i = 1; i <= 1000; i++) recordLatencyUs(h, i * 100);
  const back = decodeHistogram(encodeHistogram(h));
  assert.equal(back.totalCount, 1000);
  assert.equal(back.getValueAtPercentile(50), h.getValueAtPercentile(50));
  assert.ok(Math.abs(back.maxValue - h.maxValue) / h.maxValue < 0.001, 'max within the 3-digit resolution');
});

test('merging encoded histograms equals recording everything in one', () => {
  const a = createHistogram();
  const b = createHistogram();
  const all = createHistogram();
  for (let i = 0; i < 500; i++) {
    recordLatencyUs(a, 1000 + i);
    recordLatencyUs(all, 1000 + i);
    recordLatencyUs(b, 200_000 + i * 10);
    recordLatencyUs(all, 200_000 + i * 10);
  }
  const merged = mergeEncoded([encodeHistogram(a), '', encodeHistogram(b)]);
  assert.equal(merged.totalCount, 1000);
  for (const p of [50, 90, 99, 99.9]) assert.equal(merged.getValueAtPercentile(p), all.getValueAtPercentile(p), `p${p}`);
});

test('values outside the bounds are clamped, not lost', () => {
  const h = createHistogram();
  recordLatencyUs(h, 0);
  recordLatencyUs(h, 120_000_000);
  assert.equal(h.totalCount, 2);
  assert.ok(h.maxValue >= HIST_HIGHEST_US * 0.999);
});

test('trend values are reported in milliseconds within 0.1% of the recorded values', () => {
  const h = createHistogram();
  for (let i = 1; i <= 100; i++) recordLatencyUs(h, i * 1000);
  const v = trendValuesMs(h);
  const table: Array<[string, number]> = [['med', 50], ['p(90)', 90], ['p(95)', 95], ['p(99)', 99], ['max', 100], ['min', 1]];
  for (const [k, want] of table) assert.ok(Math.abs(v[k] - want) / want < 0.001, `${k}=${v[k]} want ${want}`);
  assert.equal(v.count, 100);
  assert.equal(percentileMs(createHistogram(), 99), null);
});
