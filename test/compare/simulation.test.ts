// The regression gate on synthetic runs with a known truth: lognormal latencies, correlated seconds (AR(1)), and a
// run-level drift between runs of one build. Deterministic (seeded), and sized to run in seconds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../src/compare/compare.ts';
import { sampleSd } from '../../src/compare/stats.ts';
import { syntheticRun, type SyntheticRunSpec } from './support.ts';

/** Same-build comparisons with 5 baselines: how many of `count` have any "regressed" among their statistics. */
function sameBuild(names: string[], count: number): { withRegressed: number; comparisons: number } {
  const spec: Partial<SyntheticRunSpec> = { durationS: 20, ratePerS: 50, names, runSpread: 0.02, ar: { phi: 0.7, sd: 0.04 }, server: {} };
  let withRegressed = 0;
  let comparisons = 0;
  for (let i = 0; i < count; i++) {
    const runs = Array.from({ length: 6 }, (_, j) => syntheticRun({ ...spec, seed: 1_000_000 + i * 6 + j }));
    const r = compareRuns(runs.slice(0, 5), runs[5], { seed: i });
    comparisons += r.comparisons.length;
    if (r.comparisons.some((c) => c.verdict === 'regressed')) withRegressed++;
    assert.notEqual(r.exitCode === 99, r.comparisons.every((c) => !c.gated));
  }
  return { withRegressed, comparisons };
}

test('over 200 same-build comparisons with 5 baselines, at most 5% say "regressed" anywhere (one request name)', () => {
  const { withRegressed, comparisons } = sameBuild(['api'], 200);
  console.log(`one name: ${withRegressed} of 200 same-build comparisons (${comparisons} statistics) with any "regressed"`);
  assert.ok(comparisons >= 200 * 8, `${comparisons} statistics compared`);
  assert.ok(withRegressed / 200 <= 0.05, `${withRegressed} of 200 same-build comparisons said regressed`);
});

test('over 200 same-build comparisons of 5 request names, with moderated spreads, at most 5% say "regressed" anywhere', () => {
  const { withRegressed, comparisons } = sameBuild(['a', 'b', 'c', 'd', 'e'], 200);
  console.log(`five names: ${withRegressed} of 200 same-build comparisons (${comparisons} statistics) with any "regressed"`);
  assert.ok(comparisons >= 200 * 25, `${comparisons} statistics compared`);
  assert.ok(withRegressed / 200 <= 0.05, `${withRegressed} of 200 same-build comparisons said regressed`);
});

test('with one baseline and the default run-to-run spread, same-build comparisons rarely say "regressed", and say where the noise came from', () => {
  const spec: Partial<SyntheticRunSpec> = { durationS: 20, ratePerS: 50, names: ['api'], runSpread: 0.03, ar: { phi: 0.7, sd: 0.04 } };
  let withRegressed = 0;
  for (let i = 0; i < 60; i++) {
    const r = compareRuns([syntheticRun({ ...spec, seed: 2_000_000 + 2 * i })], syntheticRun({ ...spec, seed: 2_000_001 + 2 * i }), { seed: i, replicates: 100 });
    assert.equal(r.method.mode, 'widened-within-run');
    assert.deepEqual(r.method.runToRunSpread, { value: 0.05, source: 'default' });
    assert.ok(r.comparisons.filter((c) => c.stat !== 'rate').every((c) => c.noise === 'default'));
    if (r.comparisons.some((c) => c.verdict === 'regressed')) withRegressed++;
  }
  assert.ok(withRegressed <= 3, `${withRegressed} of 60 said regressed`);
});

/** A slowdown of every name by each effect (default +0, 5, 7.5 and 10%) against 5 baselines, 100 trials: how often `key` is regressed. */
function power(names: string[], key: string, effects = [0, 0.05, 0.075, 0.1]) {
  // Within-run noise of 2,000 requests per name with correlated seconds plus a 1.4% drift: a 2% spread of run-level p95.
  const spec: Partial<SyntheticRunSpec> = { durationS: 40, ratePerS: 50, names, sigma: 0.3, runSpread: 0.014, ar: { phi: 0.5, sd: 0.012 } };
  const trials = 100;
  const detected = effects.map(() => 0);
  const marginal = effects.map(() => 0);
  const nullMde: number[] = [];
  const p95s: number[] = [];
  for (let i = 0; i < trials; i++) {
    const bases = Array.from({ length: 5 }, (_, j) => syntheticRun({ ...spec, seed: 3_000_000 + i * 10 + j }));
    effects.forEach((e, x) => {
      // The same candidate noise at every effect size (common random numbers), slowed by 1 + e.
      const r = compareRuns(bases, syntheticRun({ ...spec, seed: 3_000_000 + i * 10 + 9, slowdown: { factor: 1 + e } }), { seed: i });
      const c = r.comparisons.find((k) => k.key === key);
      assert.ok(c);
      if (c.verdict === 'regressed') detected[x]++;
      if ((c.interval as [number, number])[0] > 1) marginal[x]++;
      if (e === 0) {
        nullMde.push(c.minDetectableEffect as number);
        p95s.push(...c.baseline.values.map((v) => Math.log(v as number)));
      }
    });
  }
  const spread = Math.sqrt(meanWithinGroupVariance(p95s, 5));
  const rate = detected.map((d) => d / trials);
  const e80 = crossing(effects, rate, 0.8);
  const mde = [...nullMde].sort((a, b) => a - b)[nullMde.length >> 1];
  console.log(`${key} over ${names.length} name(s): p95 spread ${(spread * 100).toFixed(2)}%; interval above 1 by effect ${marginal.map((m) => m / trials).join(', ')}; regressed by effect ${effects.map((e, x) => `${e}: ${rate[x]}`).join(', ')}; median printed MDE ${(mde * 100).toFixed(1)}%, 80% detected at ${(e80 * 100).toFixed(1)}%`);
  return { spread, rate, marginal: marginal.map((m) => m / trials), ten: effects.indexOf(0.1), mde, e80 };
}

test('a +10% p95 at 2% run-to-run spread of a request name among 5 is regressed in at least 95% with 5 baselines', () => {
  const { spread, rate, ten } = power(['a', 'b', 'c', 'd', 'e'], 'http_req_duration{name:a} p(95)', [0, 0.1]);
  assert.ok(spread > 0.018 && spread <= 0.0205, `run-to-run spread of p95 ${spread}`);
  assert.ok(rate[ten] >= 0.95, `+10% regressed after the adaptive BH in ${rate[ten] * 100}% (rates by effect: ${rate.join(', ')})`);
  assert.ok(rate[0] <= 0.05, `no change, regressed in ${rate[0] * 100}%`);
});

test('with a single request name the p95 test has the baselines\' 4 degrees of freedom alone: its interval is above 1 in at least 95% at +10%, and the printed MDE is within 25% of the effect detected 80% of the time', () => {
  const { spread, rate, marginal, ten, mde, e80 } = power(['api'], 'http_req_duration p(95)');
  assert.ok(spread > 0.018 && spread <= 0.0205, `run-to-run spread of p95 ${spread}`);
  // The comparison's own test finds it; the multiple-comparison step over the run's statistics costs a few points.
  assert.ok(marginal[ten] >= 0.95, `+10%: 90% interval above 1 in ${marginal[ten] * 100}%`);
  assert.ok(rate[ten] >= 0.88, `+10% regressed after the adaptive BH in ${rate[ten] * 100}%`);
  assert.ok(Math.abs(mde / e80 - 1) <= 0.25, `median printed MDE ${mde} vs effect detected 80% of the time ${e80}`);
});

test('one endpoint 1.3x slower and the database 1.5x slower: regressed there, and not on the other endpoint', () => {
  const spec: Partial<SyntheticRunSpec> = { durationS: 30, ratePerS: 40, names: ['list', 'item'], runSpread: 0.02, server: {} };
  const bases = Array.from({ length: 5 }, (_, j) => syntheticRun({ ...spec, seed: 4_000_000 + j }));
  const r = compareRuns(bases, syntheticRun({ ...spec, seed: 4_000_009, slowdown: { factor: 1.3, name: 'item' }, server: { dbFactor: 1.5 } }));
  const v = (key: string) => r.comparisons.find((c) => c.key === key);
  assert.equal(v('http_req_duration{name:item} p(95)')?.verdict, 'regressed');
  assert.equal(v('http_req_duration{name:item} p(95)')?.gated, true);
  assert.equal(v('db_query_duration p(50)')?.verdict, 'regressed');
  assert.ok(r.comparisons.filter((c) => c.name === 'list').every((c) => c.verdict !== 'regressed'));
  assert.equal(r.verdict, 'regressed');
  assert.equal(r.exitCode, 99);
  const again = compareRuns(bases, syntheticRun({ ...spec, seed: 4_000_009, slowdown: { factor: 1.3, name: 'item' }, server: { dbFactor: 1.5 } }));
  assert.deepEqual(again, r, 'the same inputs give the same result');
});

test('a percentile with too few samples beyond it is inconclusive, never a silent pass, and says what would decide it', () => {
  const spec: Partial<SyntheticRunSpec> = { durationS: 10, ratePerS: 50, names: ['api'] };
  const runs = Array.from({ length: 4 }, (_, j) => syntheticRun({ ...spec, seed: 5_000_000 + j }));
  const r = compareRuns(runs.slice(0, 3), runs[3], { failOnInconclusive: true });
  const p99 = r.comparisons.find((c) => c.key === 'http_req_duration p(99)');
  assert.equal(p99?.verdict, 'inconclusive');
  assert.match(p99?.note ?? '', /needs at least 1000 samples per run .* the smallest run has 500; a longer run/);
  assert.equal(r.exitCode, 99, '--fail-on-inconclusive fails');
  assert.equal(compareRuns(runs.slice(0, 3), runs[3]).exitCode, 0, 'inconclusive passes with a warning by default');
});

test('the run-to-run spread is learnt from stored same-build runs when there is one baseline', () => {
  const spec: Partial<SyntheticRunSpec> = { durationS: 20, ratePerS: 50, names: ['api'] };
  const group = Array.from({ length: 4 }, (_, j) => syntheticRun({ ...spec, seed: 6_000_000 + j }).records);
  const r = compareRuns([syntheticRun({ ...spec, seed: 6_000_010 })], syntheticRun({ ...spec, seed: 6_000_011 }), { noiseGroups: [group] });
  assert.deepEqual(r.method.runToRunSpread, { source: 'learnt', runs: 4 });
  assert.equal(r.comparisons.find((c) => c.key === 'http_req_duration p(95)')?.noise, 'learnt');
});

/** Pooled within-group variance of consecutive groups of `size` values. */
function meanWithinGroupVariance(xs: number[], size: number): number {
  let s = 0;
  let g = 0;
  for (let i = 0; i + size <= xs.length; i += size) {
    s += sampleSd(xs.slice(i, i + size)) ** 2;
    g++;
  }
  return s / g;
}

/** The x at which y (increasing) first reaches level, interpolated linearly. */
function crossing(xs: number[], ys: number[], level: number): number {
  for (let i = 1; i < xs.length; i++) {
    if (ys[i] >= level) return xs[i - 1] + ((level - ys[i - 1]) * (xs[i] - xs[i - 1])) / (ys[i] - ys[i - 1]);
  }
  return Infinity;
}
