import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDir } from '../../src/results/read.ts';
import { RunDirError } from '../../src/errors.ts';

const run = { format: 1, id: 'x', scenario: 's', profile: 'ci', startedAt: '2026-01-01T00:00:00Z', plannedDurationMs: 1000, status: 'interrupted', target: { baseUrl: 'http://127.0.0.1:1' }, load: { executor: 'constant-vus' }, config: {}, environment: {}, phases: [], faults: [] };

test('a run directory with a truncated last line reads every complete record', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-read-'));
  try {
    await writeFile(join(dir, 'run.json'), JSON.stringify(run));
    const tick = { type: 'tick', tMs: 0, intervalMs: 1000, vus: 1, vusMax: 1, iterations: 3, droppedIterations: 0, iterationHist: '', generatorCpu: 0.1, generatorLoopLagP99Ms: 1 };
    await writeFile(join(dir, 'intervals.ndjson'), `${JSON.stringify(tick)}\n${JSON.stringify({ ...tick, tMs: 1000 })}\n{"type":"tick","tMs":20`);
    const data = await readRunDir(dir);
    assert.equal(data.intervals.length, 2);
    assert.equal(data.samples.length, 0);
    assert.equal(data.summary, undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a folder without run.json or with a corrupt middle line is a clear RunDirError', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-read-'));
  try {
    await assert.rejects(readRunDir(dir), (e: unknown) => e instanceof RunDirError && /not a run directory/.test(e.message));
    await writeFile(join(dir, 'run.json'), JSON.stringify(run));
    await writeFile(join(dir, 'samples.ndjson'), '{"tMs":0}\nnot json\n{"tMs":1}\n');
    await assert.rejects(readRunDir(dir), (e: unknown) => e instanceof RunDirError && /line 2 is not valid JSON/.test(e.message));
    await writeFile(join(dir, 'run.json'), JSON.stringify({ ...run, format: 2 }));
    await assert.rejects(readRunDir(dir), /format 2 is not supported/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
