import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readlinkSync, readdirSync, appendFileSync, rmSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunDirWriter, runStamp, safeName } from '../../src/results/run-dir-writer.ts';
import { readRunDir } from '../../src/results/read.ts';
import type { RunJson, TickIntervalRecord } from '../../src/results/format.ts';

function runJson(status: RunJson['status']): RunJson {
  return {
    format: 1, id: 'r1', scenario: 'demo run', profile: 'smoke', startedAt: new Date().toISOString(), plannedDurationMs: 1000, status,
    target: { baseUrl: 'http://127.0.0.1:1' }, load: { executor: 'constant-vus' }, config: {},
    environment: { node: process.version, os: 'linux', arch: 'x64', cpus: 2, perfgateVersion: '0', workers: 1 }, phases: [], faults: [],
  };
}

function tick(tMs: number): TickIntervalRecord {
  return { type: 'tick', tMs, intervalMs: 1000, vus: 1, vusMax: 1, iterations: 3, droppedIterations: 0, iterationHist: '', generatorCpu: 0.1, generatorLoopLagP99Ms: 1 };
}

test('run directory names are a UTC stamp and a safe scenario name', () => {
  assert.equal(runStamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))), '20260102-030405');
  assert.equal(safeName('my scenario/../x'), 'my-scenario-..-x');
  assert.equal(safeName('***'), 'run');
});

test('the writer streams intervals and samples, writes run.json atomically and points latest at the run', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'perfgate-writer-'));
  try {
    const w = RunDirWriter.create({ reportsDir: reports, scenario: 'demo', startedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) });
    assert.equal(w.dir, join(reports, '20260102-030405-demo'));
    w.writeRun(runJson('running'));
    w.appendIntervals([tick(0)]);
    w.appendSample({ tMs: 5, source: 'host', metric: 'host_cpu_utilization', value: 0.5 });
    w.flush();
    const mid = await readRunDir(w.dir);
    assert.equal(mid.run.status, 'running');
    assert.equal(mid.intervals.length, 1, 'flushed records are on disk before the end');
    w.appendIntervals([tick(1000)]);
    w.writeRun({ ...runJson('completed'), exitCode: 0 });
    w.close();
    const end = await readRunDir(w.dir);
    assert.equal(end.run.status, 'completed');
    assert.equal(end.intervals.length, 2);
    assert.equal(end.samples.length, 1);
    assert.deepEqual(readdirSync(w.dir).filter((f) => f.includes('.tmp')), []);
    assert.equal(lstatSync(join(reports, 'latest')).isSymbolicLink(), true);
    assert.equal(readlinkSync(join(reports, 'latest')), '20260102-030405-demo');
    // A second run in the same second gets its own folder.
    const w2 = RunDirWriter.create({ reportsDir: reports, scenario: 'demo', startedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) });
    assert.equal(w2.dir, join(reports, '20260102-030405-demo-2'));
    w2.writeRun(runJson('completed'));
    w2.close();
    assert.equal(readlinkSync(join(reports, 'latest')), '20260102-030405-demo-2');
    // A run cut off mid-line still reads.
    appendFileSync(join(w.dir, 'intervals.ndjson'), '{"type":"tick","tMs":20');
    assert.equal((await readRunDir(w.dir)).intervals.length, 2);
    assert.match(readFileSync(join(w.dir, 'run.json'), 'utf8'), /"format": 1/);
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
});
