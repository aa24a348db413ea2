// The busy-machine guard: a candidate whose machine was busier (other processes' CPU) than during every baseline by
// more than 10 points has its latency regressions made inconclusive; the same slowdown on a quiet machine is
// regressed, and a run without the lab's figures is judged as before.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, type RunInput } from '../../src/compare/compare.ts';
import { discountBusyMachine, neighbourLoad, neighbourShare } from '../../src/compare/neighbours.ts';
import { renderCompareMarkdown } from '../../src/compare/render.ts';
import type { SampleRecord } from '../../src/results/format.ts';
import { syntheticRun, type SyntheticRunSpec } from './support.ts';

/** Host samples of a lab run on 2 cores: the service at 30% of the machine, perfgate at 0.2 cores, neighbours at `other`. */
function hostSamples(other: number, seconds = 30): SampleRecord[] {
  return Array.from({ length: seconds }, (_, i) => [
    { tMs: (i + 1) * 1000, source: 'host', metric: 'host_cpu_utilization', value: 0.3 + 0.1 + other },
    { tMs: (i + 1) * 1000, source: 'host', metric: 'service_cpu_utilization', value: 0.3, labels: { basis: 'lab-processes' } },
    { tMs: (i + 1) * 1000, source: 'generator', metric: 'generator_cpu', value: 0.2 },
  ]).flat();
}

function onMachine(run: RunInput, other: number | undefined): RunInput {
  if (other === undefined) return run;
  return { ...run, records: { ...run.records, samples: [...run.records.samples, ...hostSamples(other)], cores: 2 } };
}

test('the neighbour share is the machine\'s busy share less the service\'s and perfgate\'s; unknown without the lab\'s figures', () => {
  assert.ok(Math.abs(neighbourShare(hostSamples(0.25), 2)! - 0.25) < 1e-9);
  assert.equal(neighbourShare(hostSamples(0.25), undefined), undefined, 'without the core count');
  assert.equal(neighbourShare(hostSamples(0.25).filter((s) => s.metric !== 'service_cpu_utilization'), 2), undefined, 'without the lab\'s process groups');
  assert.deepEqual(neighbourLoad(0.2, [0.02, undefined, 0.05]), { candidate: 0.2, baselines: [0.02, null, 0.05], busier: true });
  assert.equal(neighbourLoad(0.14, [0.02, 0.05])!.busier, false, 'within 10 points of the busiest baseline');
  assert.equal(neighbourLoad(undefined, [0.02]), undefined);
});

const spec: Partial<SyntheticRunSpec> = { durationS: 30, ratePerS: 40, names: ['list', 'item'], runSpread: 0.02 };
const bases = Array.from({ length: 5 }, (_, j) => onMachine(syntheticRun({ ...spec, seed: 6_000_000 + j }), 0.02 + 0.005 * j));
const slower = (other: number | undefined) => onMachine(syntheticRun({ ...spec, seed: 6_000_009, slowdown: { factor: 1.4, name: 'item' } }), other);

test('a slower candidate on a quiet machine is regressed; on a busier one the same slowdown is inconclusive, saying why', () => {
  const quiet = compareRuns(bases, slower(0.04));
  const key = 'http_req_duration{name:item} p(95)';
  assert.equal(quiet.comparisons.find((c) => c.key === key)?.verdict, 'regressed');
  assert.equal(quiet.exitCode, 99);
  assert.equal(quiet.method.neighbourCpu?.busier, false);
  const busy = compareRuns(bases, slower(0.45));
  const c = busy.comparisons.find((x) => x.key === key)!;
  assert.equal(c.verdict, 'inconclusive');
  assert.equal(c.gated, false);
  assert.match(c.note, /^inconclusive: slower by \d+%, but the machine was busier: other processes used 45% of its CPU during the candidate, 2%–4% during the baselines; run it again on a quiet machine$/);
  assert.equal(busy.verdict, 'inconclusive');
  assert.equal(busy.exitCode, 0, 'inconclusive passes with a warning');
  assert.equal(compareRuns(bases, slower(0.45), { failOnInconclusive: true }).exitCode, 99);
  assert.match(renderCompareMarkdown(busy), /\*\*The machine was busier during the candidate:\*\* other processes used 45% of its CPU \(at most 4% during the baselines\)/);
  const unknown = compareRuns(bases.map((b) => ({ ...b, records: { ...b.records, cores: undefined } })), slower(undefined));
  assert.equal(unknown.comparisons.find((x) => x.key === key)?.verdict, 'regressed', 'without the figures nothing is discounted');
  assert.equal(unknown.method.neighbourCpu, undefined);
});

test('only latency regressions are discounted: an error-rate regression on a busy machine still fails', () => {
  const comparisons = compareRuns(bases, slower(0.04)).comparisons;
  const error = { ...comparisons[0]!, unit: 'ratio', metric: 'http_req_failed', verdict: 'regressed' as const, gated: true };
  const out = discountBusyMachine([error], { candidate: 0.5, baselines: [0.02], busier: true });
  assert.equal(out[0]!.verdict, 'regressed');
  assert.equal(out[0]!.gated, true);
});
