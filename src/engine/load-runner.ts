// Runs the load on this thread or sharded across worker threads, behind one interface; on each thread, one engine
// per scenario of a `scenarios` map. Every worker starts on the
// shared load start (so on the same interval grid) and sends its interval records (encoded histograms); the main
// thread merges each interval once every worker has closed it (interval-merge.ts).

import { Worker } from 'node:worker_threads';
import type { IntervalRecord } from '../results/format.ts';
import type { ScenarioDefinition } from '../scenario/types.ts';
import type { TemplateVars } from '../scenario/template.ts';
import { loadFeeders } from '../scenario/feeders.ts';
import { Engine, type EngineResult, type SegmentFlags } from './engine.ts';
import { compilePlan } from './plan.ts';
import type { ResolvedTarget } from './host-guard.ts';
import { IntervalMerge } from './interval-merge.ts';
import { SqlRunner } from './sql-runner.ts';
import type { StepRunner } from './vu.ts';
import { hasScenarioMap, partDefinition, scenarioParts } from '../scenario/scenarios.ts';
import { peakVUs } from '../scenario/stages.ts';

/** What a load needs, all serialisable (it crosses into worker threads). */
export interface LoadSpec {
  def: ScenarioDefinition;
  target: ResolvedTarget;
  globals: TemplateVars;
  t0EpochMs: number;
  /** Folder data feeder files are relative to. */
  baseDir: string;
  seed: number;
  intervalMs: number;
  /** Hosts besides loopback that redirects may lead to. */
  allowHosts?: string[];
  /** This process's execution segment (--execution-segment, --execution-segment-sequence). */
  segment?: SegmentFlags;
}

/** A load ready to start (plans compiled, workers up). */
export interface RunningLoad {
  /** Starts the load at loadStartMs on the run clock (not before now); resolves when it has ended. */
  begin(loadStartMs: number): Promise<EngineResult>;
  /** Stops starting iterations; running ones get graceMs to finish. */
  end(graceMs?: number): void;
  /** Stops at once. */
  kill(): void;
  /** Replaces global variables (a refreshed setup's captures) for every VU. */
  updateGlobals(globals: Record<string, unknown>): void;
}

/** Callbacks of a running load. */
export interface LoadCallbacks {
  onRecords(records: IntervalRecord[]): void;
  onError(err: Error): void;
}

/** Prepares the load on this thread (workers <= 1) or on `workers` worker threads; `begin` starts it. */
export async function startLoad(spec: LoadSpec, workers: number, cb: LoadCallbacks): Promise<RunningLoad> {
  if (workers <= 1) return startLocal(spec, { index: 0, count: 1 }, cb);
  return startWorkers(spec, workers, cb);
}

/**
 * Starts one shard on this thread: an engine per scenario part (one for the single `load`), merged on the shared
 * interval grid as the workers' records are.
 */
export async function startLocal(spec: LoadSpec, shard: { index: number; count: number }, cb: LoadCallbacks): Promise<RunningLoad> {
  const parts = scenarioParts(spec.def);
  const feeders = spec.def.data ? await loadFeeders(spec.def.data, spec.baseDir, { seed: spec.seed }) : undefined;
  const runners: Record<string, StepRunner> = spec.def.connections ? { sql: new SqlRunner(spec.def.connections) } : {};
  // One tick per interval for all the parts; its phase is left out (phases belong to the parts: see aggregate.ts).
  const merge = parts.length > 1 ? new IntervalMerge(parts.length, (records) => cb.onRecords(records.map(withoutTickPhase))) : undefined;
  const engines = parts.map((part, i) => {
    const def = partDefinition(spec.def, part);
    return new Engine({
      def,
      plan: compilePlan(def, spec.target),
      target: spec.target,
      globals: spec.globals,
      feed: feeders ? (vu, it) => feeders.next(vu, it) : undefined,
      runners,
      allowHosts: spec.allowHosts,
      t0EpochMs: spec.t0EpochMs,
      shard,
      segment: spec.segment,
      // Each part its own random streams (part 0 keeps the single load's, so its runs replay as before).
      seed: spec.seed + i * 7919,
      intervalMs: spec.intervalMs,
      ...(hasScenarioMap(spec.def) ? { scenario: part.name } : {}),
      startOffsetMs: part.startMs,
      vuIdOffset: parts.slice(0, i).reduce((a, p) => a + peakVUs(p.load), 0),
      onRecords: merge ? (records) => merge.add(i, records) : cb.onRecords,
      onError: cb.onError,
    });
  });
  for (const e of engines) await e.prepare();
  return {
    begin: async (loadStartMs) => {
      const results = await Promise.all(engines.map((e, i) => e.run(loadStartMs).finally(() => merge?.finish(i))));
      return combineResults(results);
    },
    end: (g) => engines.forEach((e) => e.end(g)),
    kill: () => engines.forEach((e) => e.kill()),
    updateGlobals: (g) => engines.forEach((e) => e.updateGlobals(g)),
  };
}

function withoutTickPhase(r: IntervalRecord): IntervalRecord {
  if (r.type !== 'tick' || r.phase === undefined) return r;
  const { phase: _phase, ...rest } = r;
  return rest;
}

/** The results of several engines (scenario parts or worker threads) as one. */
function combineResults(results: readonly EngineResult[]): EngineResult {
  return {
    loopLagP99Ms: Math.max(0, ...results.map((r) => r.loopLagP99Ms)),
    started: results.reduce((a, r) => a + r.started, 0),
    dropped: results.reduce((a, r) => a + r.dropped, 0),
  };
}

/** Messages from a worker. */
type FromWorker =
  | { type: 'records'; records: IntervalRecord[] }
  | { type: 'error'; message: string }
  | { type: 'ready' }
  | { type: 'done'; result: EngineResult }
  | { type: 'fatal'; message: string };

function startWorkers(spec: LoadSpec, count: number, cb: LoadCallbacks): Promise<RunningLoad> {
  const merge = new IntervalMerge(count, (records) => cb.onRecords(records));
  const finished = new Set<number>();
  const results: EngineResult[] = [];
  // Workers do not inherit the tsx loader: a small bootstrap registers it, then imports the TypeScript entry.
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(new URL('./engine-worker.ts', import.meta.url).href)}); })`;
  const threads: Worker[] = [];
  const dones: Promise<void>[] = [];
  const readies: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const worker = new Worker(bootstrap, { eval: true, workerData: { spec, shard: { index, count } } });
    threads.push(worker);
    let ready: () => void = () => {};
    readies.push(new Promise<void>((r) => (ready = r)));
    dones.push(
      new Promise<void>((resolve, reject) => {
        worker.on('message', (m: FromWorker) => {
          if (m.type === 'ready') ready();
          else if (m.type === 'records') merge.add(index, m.records);
          else if (m.type === 'error') cb.onError(new Error(m.message));
          else if (m.type === 'done') {
            results.push(m.result);
            finished.add(index);
            merge.finish(index);
            resolve();
          } else if (m.type === 'fatal') reject(new Error(`worker ${index}: ${m.message}`));
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (!finished.has(index)) reject(new Error(`worker ${index} exited with code ${code} before finishing`));
        });
      }),
    );
  }
  const failed = Promise.all(dones);
  failed.catch(() => threads.forEach((t) => void t.terminate()));
  const done = failed.then(async () => {
    await Promise.all(threads.map((t) => t.terminate()));
    return combineResults(results);
  });
  // Wait until every worker has compiled its plan (or one failed), so the load starts on time in all of them.
  return Promise.race([Promise.all(readies), failed]).then(() => ({
    begin: (loadStartMs: number) => {
      threads.forEach((t) => t.postMessage({ type: 'begin', loadStartMs }));
      return done;
    },
    end: (graceMs) => threads.forEach((t) => t.postMessage({ type: 'end', graceMs })),
    kill: () => threads.forEach((t) => t.postMessage({ type: 'kill' })),
    updateGlobals: (globals: Record<string, unknown>) => threads.forEach((t) => t.postMessage({ type: 'globals', globals })),
  }));
}
