// The slow-machine guard: the load generator's CPU per request measures the machine's speed (the same scenario asks
// the generator for the same work per request). A candidate above the baselines' 99% prediction bound of it has its
// latency regressions made inconclusive; the same slowdown on a machine of the baselines' speed is regressed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, type RunInput } from '../../src/compare/compare.ts';
import { discountSlowMachine, generatorCostUsPerRequest, machineSpeed } from '../../src/compare/machine-speed.ts';
import { renderCompareMarkdown } from '../../src/compare/render.ts';
import type { IntervalRecord } from '../../src/results/format.ts';
import { syntheticRun, type SyntheticRunSpec } from './support.ts';

const tick = (generatorCpu: number): IntervalRecord => ({ type: 'tick', tMs: 0, intervalMs: 1000, vus: 1, vusMax: 1, iterations: 1, droppedIterations: 0, iterationHist: '', generatorCpu, generatorLoopLagP99Ms: 1 });
const req = (count: number) => ({ type: 'req', tMs: 0, intervalMs: 1000, name: 'a', method: 'GET', count, failed: 0, statuses: {}, errors: {}, okHist: '', failHist: '', bytesIn: 0, bytesOut: 0, checksPassed: 0, checksFailed: 0 }) as IntervalRecord;

test('the generator cost is its CPU time over the requests, in µs; unknown without requests or CPU figures', () => {
  const cases: Array<[string, IntervalRecord[], number | undefined]> = [
    ['0.1 cores for 2 s over 200 requests', [tick(0.1), tick(0.1), req(120), req(80)], 1000],
    ['no requests', [tick(0.1)], undefined],
    ['no CPU figure (an imported run)', [tick(0), req(10)], undefined],
    ['nothing', [], undefined],
  ];
  for (const [what, intervals, want] of cases) {
    const got = generatorCostUsPerRequest(intervals);
    if (want === undefined) assert.equal(got, undefined, what);
    else assert.ok(Math.abs(got! - want) < 1e-6, `${what}: ${got}`);
  }
});

test('the bound is a one-sided 99% prediction bound of the baselines\' log costs, with a 5% spread floor', () => {
  // Five baselines 1302..1694 µs (the lab at ci): log sd 0.0976, t(0.99, 4) = 3.747, so the bound is exp(3.747 x 0.0976 x sqrt(1.2)) = x1.493.
  const lab = [1302, 1408, 1425, 1694, 1507];
  const s = machineSpeed(2451, lab)!;
  assert.ok(Math.abs(s.boundRatio - 1.493) < 0.002, String(s.boundRatio));
  assert.equal(s.slower, true);
  assert.equal(machineSpeed(2016, lab)!.slower, false, 'x1.38 is inside the bound');
  // Baselines that agree exactly still get the 5% floor: exp(3.747 x 0.05 x sqrt(1.2)) = x1.228.
  const same = machineSpeed(1200, [1000, 1000, 1000, 1000, 1000])!;
  assert.ok(Math.abs(same.boundRatio - 1.228) < 0.002, String(same.boundRatio));
  assert.equal(same.slower, false);
  assert.equal(machineSpeed(1300, [1000, 1000, 1000, 1000, 1000])!.slower, true);
  assert.deepEqual(machineSpeed(1000, [1000, undefined, 1000])?.baselinesUsPerRequest, [1000, null, 1000]);
  assert.equal(machineSpeed(5000, [1000]), undefined, 'one baseline has no spread to bound with');
  assert.equal(machineSpeed(undefined, lab), undefined);
});

/** The run on a machine where the generator needed `factor` times its usual CPU per request. */
function onSpeed(run: RunInput, factor: number): RunInput {
  const intervals = run.records.intervals.map((r) => (r.type === 'tick' ? { ...r, generatorCpu: r.generatorCpu * factor } : r));
  return { ...run, records: { ...run.records, intervals } };
}

const spec: Partial<SyntheticRunSpec> = { durationS: 30, ratePerS: 40, names: ['list', 'item'], runSpread: 0.02 };
const bases = Array.from({ length: 5 }, (_, j) => onSpeed(syntheticRun({ ...spec, seed: 6_100_000 + j }), 1 + 0.02 * j));
const slower = (speed: number) => onSpeed(syntheticRun({ ...spec, seed: 6_100_009, slowdown: { factor: 1.4, name: 'item' } }), speed);

test('a slower candidate on a machine of the baselines\' speed is regressed; on a slower machine it is inconclusive, saying why', () => {
  const key = 'http_req_duration{name:item} p(95)';
  const steady = compareRuns(bases, slower(1.03));
  assert.equal(steady.comparisons.find((c) => c.key === key)?.verdict, 'regressed');
  assert.equal(steady.method.machineSpeed?.slower, false);
  assert.equal(steady.exitCode, 99);
  const slow = compareRuns(bases, slower(1.8));
  const c = slow.comparisons.find((x) => x.key === key)!;
  assert.equal(c.verdict, 'inconclusive');
  assert.equal(c.gated, false);
  assert.match(c.note, /^inconclusive: slower by \d+%, but the machine ran slower too: the load generator needed 1\.7\dx the CPU per request of the baselines \(\d+ µs against at most 1\.2\dx their mean\); run it again when the machine is steady$/);
  assert.equal(slow.exitCode, 0, 'inconclusive passes with a warning');
  assert.equal(compareRuns(bases, slower(1.8), { failOnInconclusive: true }).exitCode, 99);
  assert.match(renderCompareMarkdown(slow), /\*\*The machine ran slower during the candidate:\*\* the load generator needed 1\.7\dx the CPU per request/);
});

test('only latency regressions are discounted: an error-rate regression on a slow machine still fails', () => {
  const comparisons = compareRuns(bases, slower(1.03)).comparisons;
  const error = { ...comparisons[0]!, unit: 'ratio', metric: 'http_req_failed', verdict: 'regressed' as const, gated: true };
  const out = discountSlowMachine([error], { candidateUsPerRequest: 2000, baselinesUsPerRequest: [1000, 1000], ratio: 2, boundRatio: 1.3, slower: true });
  assert.equal(out[0]!.verdict, 'regressed');
  assert.equal(out[0]!.gated, true);
});
