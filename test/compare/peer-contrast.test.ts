// A request name judged against the other names of its run: the contrast's arithmetic on known values, and the gate
// on synthetic runs whose machine drifts (every name moves) while one endpoint slows (one name moves).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../src/compare/compare.ts';
import { confirmByPeers, peerContrasts } from '../../src/compare/peer-contrast.ts';
import type { Comparison, Measurement } from '../../src/compare/types.ts';
import { syntheticRun, type SyntheticRunSpec } from './support.ts';

/** One run's per-name p(95) measurements, plenty of samples each. */
function run(values: Record<string, number>): Map<string, Measurement> {
  return new Map(Object.entries(values).map(([name, value]) => {
    const key = `http_req_duration{name:${name}} p(95)`;
    return [key, { key, metric: 'http_req_duration', name, stat: 'p(95)', unit: 'ms', direction: 'higher-is-worse', kind: 'percentile', quantile: 0.95, value, n: 1000 } as Measurement];
  }));
}

const usable = () => true;
const level = { a: 10, b: 20, c: 40 };
const scaled = (f: number, own: Partial<Record<keyof typeof level, number>> = {}) =>
  run(Object.fromEntries(Object.entries(level).map(([n, v]) => [n, v * f * (own[n as keyof typeof level] ?? 1)])));

test('peer contrasts: a slowdown of one name by f reads f on it and f^(-1/(G-1)) on each peer, whatever the machine did', () => {
  // Baselines drift together (the machine) with a little of each name's own noise; the candidate's machine is 1.8x slower.
  const bases = [scaled(1, { a: 1.01 }), scaled(1.2, { b: 0.99 }), scaled(0.9, { c: 1.01 }), scaled(1.4, { a: 0.99 })];
  const cases: Array<{ own: Partial<Record<'a' | 'b' | 'c', number>>; expect: Record<string, number> }> = [
    { own: {}, expect: { a: 1, b: 1, c: 1 } },
    { own: { a: 1.3 }, expect: { a: 1.3, b: 1.3 ** -0.5, c: 1.3 ** -0.5 } },
    { own: { a: 1.3, b: 1.3, c: 1.3 }, expect: { a: 1, b: 1, c: 1 } },
  ];
  for (const { own, expect } of cases) {
    const out = peerContrasts(bases, scaled(1.8, own), usable, 0.01);
    assert.deepEqual(out.map((c) => c.name), ['a', 'b', 'c']);
    for (const c of out) {
      assert.ok(Math.abs(Math.exp(c.test.logChange) - expect[c.name]) < 0.01, `${JSON.stringify(own)}: ${c.name} read ${Math.exp(c.test.logChange)}, expected ${expect[c.name]}`);
      assert.deepEqual(c.peers, ['a', 'b', 'c'].filter((n) => n !== c.name));
    }
  }
});

test('peer contrasts need every run to hold the name, two peers, two baselines and the tail rule', () => {
  const bases = [scaled(1), scaled(1.1)];
  const table: Array<{ what: string; bases: Array<Map<string, Measurement>>; cand: Map<string, Measurement>; usable?: (ms: readonly Measurement[]) => boolean; names: string[] }> = [
    { what: 'all present', bases, cand: scaled(1), names: ['a', 'b', 'c'] },
    { what: 'one baseline', bases: bases.slice(0, 1), cand: scaled(1), names: [] },
    { what: 'two names only', bases: bases.map((b) => new Map([...b].filter(([k]) => !k.includes('name:c')))), cand: scaled(1), names: [] },
    { what: 'a name missing from a baseline leaves the other two without a second peer', bases: [bases[0], new Map([...bases[1]].filter(([k]) => !k.includes('name:a')))], cand: scaled(1), names: [] },
    { what: 'a name the tail rule refuses', bases, cand: scaled(1), usable: (ms) => ms[0].name !== 'b', names: [] },
  ];
  for (const t of table) assert.deepEqual(peerContrasts(t.bases, t.cand, t.usable ?? usable, 0.01).map((c) => c.name), t.names, t.what);
});

test('confirmByPeers makes regressed only an inconclusive name that is slower than its peers and itself at least the minimum slower', () => {
  const bases = [scaled(1, { a: 1.01 }), scaled(1.2, { b: 0.99 }), scaled(0.9, { c: 1.01 }), scaled(1.4, { a: 0.99 }), scaled(1.1)];
  const cand = scaled(1.8, { a: 1.3 });
  const contrasts = peerContrasts(bases, cand, usable, 0.01);
  const comparison = (name: string, verdict: Comparison['verdict'], ratio: number): Comparison => ({
    key: `http_req_duration{name:${name}} p(95)`, metric: 'http_req_duration', name, stat: 'p(95)', unit: 'ms', direction: 'higher-is-worse',
    baseline: { values: [], center: 1 }, candidate: ratio, ratio, interval: [ratio * 0.8, ratio * 1.2], pWorse: 0.5, pBetter: 0.5,
    pWorseAdjusted: 0.5, pBetterAdjusted: 0.5, minDetectableEffect: 1, minEffect: 0.1, noise: 'baselines', verdict, gated: false, note: 'as it was',
  });
  const table: Array<{ what: string; input: Comparison; verdict: Comparison['verdict']; gated: boolean }> = [
    { what: 'slower than its peers, on a slower machine', input: comparison('a', 'inconclusive', 2.3), verdict: 'regressed', gated: true },
    { what: 'slower than its peers, but itself faster than its baselines', input: comparison('a', 'inconclusive', 1.05), verdict: 'inconclusive', gated: false },
    { what: 'a peer: faster than the others', input: comparison('b', 'inconclusive', 1.6), verdict: 'inconclusive', gated: false },
    { what: 'already improved stays improved', input: comparison('a', 'improved', 2.3), verdict: 'improved', gated: false },
    { what: 'already regressed stays as it was', input: comparison('a', 'regressed', 2.3), verdict: 'regressed', gated: false },
  ];
  for (const t of table) {
    const [out] = confirmByPeers([t.input], contrasts);
    assert.equal(out.verdict, t.verdict, t.what);
    assert.equal(out.gated, t.gated, t.what);
    assert.ok(out.peers, `${t.what}: the contrast is attached`);
    assert.equal(out.peers.names, 2);
    if (out.verdict !== t.input.verdict) assert.match(out.note, /against the other 2 names of the run/);
    else assert.equal(out.note, 'as it was', t.what);
  }
  // The same slower name against baselines whose names drift apart by 20% each: its contrast is no discovery, and it stays as it was.
  const noisy = [scaled(1, { a: 1.2 }), scaled(1.2, { b: 1.2 }), scaled(0.9, { c: 1.2 }), scaled(1.4, { a: 0.8 }), scaled(1.1, { b: 0.8 })];
  const [kept] = confirmByPeers([comparison('a', 'inconclusive', 2.3)], peerContrasts(noisy, cand, usable, 0.01));
  assert.equal(kept.verdict, 'inconclusive');
  assert.ok(kept.peers && kept.peers.pWorseAdjusted > 0.0125, `adjusted p ${kept.peers?.pWorseAdjusted}`);
});

/** 40 comparisons of 5 baselines with a large common drift against a candidate on a 1.6x slower machine: how often each name is regressed. */
function slowMachine(own?: { factor: number; name: string }): { regressedByName: Map<string, number>; trials: number } {
  const names = ['a', 'b', 'c', 'd', 'e'];
  // A 12% machine drift shared by every name and a 2% drift of each name's own: the lab's shape (a common spread several
  // times a name's own).
  const spec: Partial<SyntheticRunSpec> = { durationS: 30, ratePerS: 40, names, sigma: 0.3, runSpread: 0.12, nameSpread: 0.02, ar: { phi: 0.5, sd: 0.02 } };
  const regressedByName = new Map<string, number>();
  const trials = 40;
  for (let i = 0; i < trials; i++) {
    const bases = Array.from({ length: 5 }, (_, j) => syntheticRun({ ...spec, seed: 7_000_000 + i * 6 + j }));
    const cand = syntheticRun({ ...spec, seed: 7_000_000 + i * 6 + 5, machineFactor: 1.6, ...(own ? { slowdown: own } : {}) });
    const r = compareRuns(bases, cand, { seed: i, replicates: 50 });
    assert.equal(r.method.machineSpeed?.slower, true, 'the machine guard saw the slower machine');
    for (const n of new Set(r.comparisons.filter((c) => c.verdict === 'regressed' && c.unit === 'ms').map((c) => c.name ?? '(whole run)'))) {
      regressedByName.set(n, (regressedByName.get(n) ?? 0) + 1);
    }
  }
  return { regressedByName, trials };
}

test('on a 1.6x slower machine, an endpoint 1.3x slower is regressed on its name in at least 95% and no other name in more than 5%', () => {
  const { regressedByName, trials } = slowMachine({ factor: 1.3, name: 'c' });
  console.log(`slower machine, c 1.3x: regressed by name ${JSON.stringify(Object.fromEntries(regressedByName))} of ${trials}`);
  assert.ok((regressedByName.get('c') ?? 0) >= 0.95 * trials, `c regressed in ${regressedByName.get('c') ?? 0} of ${trials}`);
  for (const [n, k] of regressedByName) if (n !== 'c') assert.ok(k <= 0.05 * trials, `${n} regressed in ${k} of ${trials}`);
});

test('on a 1.6x slower machine with no change of the code, no name is regressed in more than 5% (the guard holds, the contrast adds no false alarm)', () => {
  const { regressedByName, trials } = slowMachine();
  console.log(`slower machine, same build: regressed by name ${JSON.stringify(Object.fromEntries(regressedByName))} of ${trials}`);
  const any = [...regressedByName.values()].reduce((a, b) => a + b, 0);
  assert.ok(any <= 0.05 * trials, `${any} name-regressions in ${trials} same-build comparisons`);
});
