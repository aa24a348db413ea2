// A synthetic run for the SLO tests: named stages of whole seconds, a fixed request rate, and failures or slow
// requests where a test puts them; as records in memory, or written as a run directory for the real CLI.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHistogram, encodeHistogram, recordLatencyUs } from '../../src/metrics/histogram.ts';
import type { IntervalRecord, RunJson, SampleRecord, TimeWindow } from '../../src/results/format.ts';

/** One named stage: its length in seconds, and what each of its seconds holds. */
export interface SyntheticStage {
  name: string;
  seconds: number;
  /** Requests per second (default 100). */
  perS?: number;
  /** Share of them that fail (default 0). */
  failShare?: number;
  /** Latency of every request, ms (default 20). */
  latencyMs?: number;
}

/** A run.json of a completed run with the given phases. */
export function syntheticRunJson(phases: TimeWindow[], extra: Partial<RunJson> = {}): RunJson {
  const durationMs = Math.max(0, ...phases.map((p) => p.endMs));
  return {
    format: 1, id: 'synthetic', scenario: 'synthetic', profile: 'ci', startedAt: '2026-01-01T00:00:00.000Z', durationMs, plannedDurationMs: durationMs,
    status: 'completed', target: { baseUrl: 'http://127.0.0.1:1' }, load: { executor: 'ramping-arrival-rate' }, config: {},
    environment: { node: 'v20', os: 'linux', arch: 'x64', cpus: 2, perfgateVersion: '0', workers: 1 }, phases, faults: [], ...extra,
  };
}

/** The records of a run made of the given stages: one request record and one tick a second, tagged with the phase. */
export function syntheticRun(stages: SyntheticStage[], extra: Partial<RunJson> = {}): { run: RunJson; intervals: IntervalRecord[]; samples: SampleRecord[] } {
  const intervals: IntervalRecord[] = [];
  const phases: TimeWindow[] = [];
  let s = 0;
  for (const st of stages) {
    const last = phases[phases.length - 1];
    if (last && last.name === st.name) last.endMs += st.seconds * 1000;
    else phases.push({ name: st.name, startMs: s * 1000, endMs: (s + st.seconds) * 1000 });
    for (let i = 0; i < st.seconds; i++, s++) {
      const count = st.perS ?? 100;
      const failed = Math.round(count * (st.failShare ?? 0));
      const ok = createHistogram();
      const fail = createHistogram();
      const us = Math.round((st.latencyMs ?? 20) * 1000);
      for (let k = 0; k < count - failed; k++) recordLatencyUs(ok, us);
      for (let k = 0; k < failed; k++) recordLatencyUs(fail, us);
      const base = { tMs: s * 1000, intervalMs: 1000, phase: st.name };
      intervals.push({
        ...base, type: 'req', name: 'x', method: 'GET', count, failed, statuses: { 200: count - failed, ...(failed ? { 401: failed } : {}) },
        errors: failed ? { http_4xx: failed } : {}, okHist: encodeHistogram(ok), failHist: encodeHistogram(fail), bytesIn: 0, bytesOut: 0, checksPassed: 0, checksFailed: 0,
      });
      intervals.push({ ...base, type: 'tick', vus: 10, vusMax: 10, iterations: count, droppedIterations: 0, iterationHist: encodeHistogram(ok), targetRatePerS: count, generatorCpu: 0.1, generatorLoopLagP99Ms: 1 });
    }
  }
  return { run: syntheticRunJson(phases, extra), intervals, samples: [] };
}

/** Writes a synthetic run as a run directory (run.json, intervals.ndjson, samples.ndjson); returns the folder. */
export async function writeSyntheticRunDir(dir: string, data: { run: RunJson; intervals: IntervalRecord[]; samples: SampleRecord[] }): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'run.json'), `${JSON.stringify(data.run, null, 2)}\n`);
  await writeFile(join(dir, 'intervals.ndjson'), data.intervals.map((r) => `${JSON.stringify(r)}\n`).join(''));
  await writeFile(join(dir, 'samples.ndjson'), data.samples.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return dir;
}
