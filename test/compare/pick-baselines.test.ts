// Baseline selection from a folder of stored runs: same scenario, profile and target build, completed, never profiled.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCompare } from '../../src/cli/commands/compare.ts';
import type { CompareJson } from '../../src/compare/types.ts';
import { targetBuild } from '../../src/run/run-scenario.ts';
import { syntheticRun, writeSyntheticRunDir, type SyntheticRunSpec } from './support.ts';

const spec: Partial<SyntheticRunSpec> = { durationS: 10, ratePerS: 50, names: ['api'] };

test('compare picks runs of the candidate\'s target build only, and never a profiled run, however new', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-pick-'));
  try {
    const folder = join(root, 'runs');
    const put = (dir: string, seed: number, day: number, meta: { targetBuild?: string; profiled?: boolean }) =>
      writeSyntheticRunDir(join(folder, dir), syntheticRun({ ...spec, seed }), { startedAt: `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`, ...meta });
    await put('v2-a', 1, 1, { targetBuild: 'v2' });
    await put('v2-b', 2, 2, { targetBuild: 'v2', profiled: false });
    await put('v2-c', 3, 3, { targetBuild: 'v2' });
    await put('v2-profiled', 4, 20, { targetBuild: 'v2', profiled: true });
    await put('v1-new', 5, 21, { targetBuild: 'v1' });
    await put('unlabelled', 6, 22, {});
    const cand = join(root, 'cand');
    await writeSyntheticRunDir(cand, syntheticRun({ ...spec, seed: 9 }), { startedAt: '2026-02-01T00:00:00.000Z', targetBuild: 'v2' });
    await runCompare([folder], cand, { baselines: '5', minEffect: '10%' }, { write: () => {}, env: {} });
    const json = JSON.parse(await readFile(join(cand, 'compare.json'), 'utf8')) as CompareJson;
    assert.deepEqual(json.baselines.map((b) => b.dir.split('/').pop()), ['v2-c', 'v2-b', 'v2-a']);

    // An unlabelled candidate takes unlabelled runs only; with none that fit, the error names the build.
    const bare = join(root, 'bare');
    await writeSyntheticRunDir(bare, syntheticRun({ ...spec, seed: 10 }), { startedAt: '2026-02-02T00:00:00.000Z' });
    await runCompare([folder], bare, { baselines: '5', minEffect: '10%' }, { write: () => {}, env: {} });
    const bareJson = JSON.parse(await readFile(join(bare, 'compare.json'), 'utf8')) as CompareJson;
    assert.deepEqual(bareJson.baselines.map((b) => b.dir.split('/').pop()), ['unlabelled']);
    const v3 = join(root, 'v3');
    await writeSyntheticRunDir(v3, syntheticRun({ ...spec, seed: 11 }), { startedAt: '2026-02-03T00:00:00.000Z', targetBuild: 'v3' });
    await assert.rejects(runCompare([folder], v3, { baselines: '5', minEffect: '10%' }, { write: () => {}, env: {} }), /unprofiled baseline run of scenario "synthetic" \(profile ci, target build v3\)/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the target build comes from PERFGATE_TARGET_BUILD, trimmed, and is absent when unset or blank', () => {
  assert.deepEqual(targetBuild({ PERFGATE_TARGET_BUILD: ' api:1.4.2 ' }), { build: 'api:1.4.2' });
  assert.deepEqual(targetBuild({ PERFGATE_TARGET_BUILD: '  ' }), {});
  assert.deepEqual(targetBuild({}), {});
});

test('compare puts its rows into the candidate\'s summary.md once, however often it runs, after the run\'s own text', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-summary-'));
  try {
    const bases = join(root, 'runs');
    for (let j = 0; j < 3; j++) await writeSyntheticRunDir(join(bases, `b${j}`), syntheticRun({ ...spec, seed: 20 + j }), { startedAt: `2026-01-0${j + 1}T00:00:00.000Z` });
    const cand = join(root, 'cand');
    await writeSyntheticRunDir(cand, syntheticRun({ ...spec, seed: 29, slowdown: { factor: 1.3 } }), { startedAt: '2026-02-01T00:00:00.000Z' });
    await writeFile(join(cand, 'summary.md'), '### perfgate: PASS\n\nthe run itself\n');
    for (let i = 0; i < 2; i++) await runCompare([bases], cand, { baselines: '5', minEffect: '10%' }, { write: () => {}, env: {} });
    const md = await readFile(join(cand, 'summary.md'), 'utf8');
    assert.ok(md.startsWith('### perfgate: PASS\n\nthe run itself\n\n<!-- perfgate:compare -->\n### Compared with baseline: ❌ regressed'), md.slice(0, 200));
    assert.equal(md.split('### Compared with baseline').length, 2, 'one compare section');
    assert.match(md, /\| metric \| baseline \| candidate \| change \| interval \(90%\) \| could detect \| verdict \|/);
    assert.match(md, /\| `http_req_duration p\(95\)` \| [\d.]+ ms \| [\d.]+ ms \| \+\d+% \|/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
