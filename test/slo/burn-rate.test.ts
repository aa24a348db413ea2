// The error budget's multi-window burn-rate alerts judged on a run, as the exported rules judge them (hand-computed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateBurnRates } from '../../src/slo/burn-rate.ts';
import { evaluateRunData } from '../../src/slo/evaluate-run.ts';
import { syntheticRun } from './synthetic-run.ts';

const BUDGET = 0.001; // 99.9%: fast pair fires above 1.44% over 1h and 5m for 2m, slow above 0.6% over 6h and 30m for 15m

test('the fast pair fires once both windows have burned 14.4x the budget for 2 minutes', () => {
  // 60 s clean, then 3 minutes at 2% errors: the 5m and the 1h windows (both reaching back to the start) cross 1.44%
  const { intervals } = syntheticRun([{ name: 'ok', seconds: 60 }, { name: 'bad', seconds: 180, failShare: 0.02 }]);
  const [fast, slow] = evaluateBurnRates(intervals, BUDGET);
  assert.equal(fast.rule, 'error-budget-burn-fast');
  assert.equal(fast.severity, 'P1');
  // the ratio over [0, end) first exceeds 1.44% when 2% x (end - 60) / end > 1.44%: end > 214.3 s, so at 215 s; held 2 m more: never within 240 s
  assert.equal(fast.fired, false);
  assert.ok(fast.observed! > 0.0144 && fast.observed! < 0.02, String(fast.observed));
  assert.equal(slow.fired, false, 'the slow pair needs 15 minutes');
  assert.match(fast.description, /99\.9% availability SLO burning 14\.4x \(1h and 5m windows\)/);
});

test('the fast pair fires at the first interval end where both ratios have been above the limit for its `for`', () => {
  const { intervals } = syntheticRun([{ name: 'bad', seconds: 200, failShare: 0.02 }]);
  const [fast] = evaluateBurnRates(intervals, BUDGET);
  // above the limit from the first second (end 1 s); for: 2m -> fires at 121 s
  assert.equal(fast.fired, true);
  assert.equal(fast.firstAtMs, 121_000);
  assert.equal(fast.observed, 0.02);
});

test('a short window that recovers stops the pair: both must hold', () => {
  // 2% for 130 s, then clean: the 5m window stays above 1.44% only while the bad share of it is large enough
  const { intervals } = syntheticRun([{ name: 'bad', seconds: 100, failShare: 0.02 }, { name: 'ok', seconds: 100 }]);
  const [fast] = evaluateBurnRates(intervals, BUDGET);
  // the ratio over [0, end) is 2% x 100 / end: above 1.44% until end 138 s; from 1 s to 138 s is 137 s >= 120 s
  assert.equal(fast.fired, true);
  assert.equal(fast.firstAtMs, 121_000);
  const { intervals: brief } = syntheticRun([{ name: 'bad', seconds: 60, failShare: 0.02 }, { name: 'ok', seconds: 100 }]);
  assert.equal(evaluateBurnRates(brief, BUDGET)[0].fired, false, '60 s at 2% then clean: the ratio falls under 1.44% at 83 s, before the 2 minutes');
});

test('a run with no requests is not evaluated; the gate lists both pairs with the other alert rules', () => {
  assert.equal(evaluateBurnRates([], BUDGET)[0].note, 'not evaluated: no data');
  const data = syntheticRun([{ name: 'ok', seconds: 20 }]);
  const rules = evaluateRunData(data).verdict.alerts.map((a) => a.rule);
  assert.ok(rules.includes('error-budget-burn-fast') && rules.includes('error-budget-burn-slow'), rules.join(', '));
});
