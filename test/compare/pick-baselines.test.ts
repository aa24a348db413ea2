// Baseline selection from a folder of stored runs: same scenario, profile and target build, completed, never profiled.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
