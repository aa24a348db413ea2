// Runs the engine directly on a scenario definition (no run directory) and returns its interval records.

import { performance } from 'node:perf_hooks';
import { Engine } from '../../src/engine/engine.ts';
import { compilePlan } from '../../src/engine/plan.ts';
import { guardTarget } from '../../src/engine/host-guard.ts';
import { SqlRunner } from '../../src/engine/sql-runner.ts';
import { createHistogram, decodeHistogram, type LatencyHistogram } from '../../src/metrics/histogram.ts';
import type { IntervalRecord, RequestIntervalRecord, TickIntervalRecord } from '../../src/results/format.ts';
import type { ScenarioDefinition } from '../../src/scenario/types.ts';

/** Records of one engine run, split by type, and the run clock's origin (epoch ms). */
export interface EngineRun {
  reqs: RequestIntervalRecord[];
  ticks: TickIntervalRecord[];
  t0EpochMs: number;
  loadStartMs: number;
}

/** Runs a scenario on one in-process engine. */
export async function runEngine(def: ScenarioDefinition, globals = {}): Promise<EngineRun> {
  const target = await guardTarget(def.target.baseUrl);
  const plan = compilePlan(def, target);
  const records: IntervalRecord[] = [];
  const t0EpochMs = performance.timeOrigin + performance.now();
  const runners: Record<string, SqlRunner> = def.connections ? { sql: new SqlRunner(def.connections) } : {};
  const engine = new Engine({ def, plan, target, globals, runners, t0EpochMs, onRecords: (rs) => records.push(...rs) });
  await engine.prepare();
  const loadStartMs = engine.now();
  await engine.run(loadStartMs);
  return {
    reqs: records.filter((r): r is RequestIntervalRecord => r.type === 'req'),
    ticks: records.filter((r): r is TickIntervalRecord => r.type === 'tick'),
    t0EpochMs,
    loadStartMs,
  };
}

/** All request latencies (ok and failed) of the run in one histogram. */
export function allLatencies(reqs: RequestIntervalRecord[]): LatencyHistogram {
  const h = createHistogram();
  for (const r of reqs) {
    if (r.okHist) h.add(decodeHistogram(r.okHist));
    if (r.failHist) h.add(decodeHistogram(r.failHist));
  }
  return h;
}
