// Shards of one test merged into one run (pure): perfgate processes that ran execution segments, or imported k6
// pods. Each part's clock is placed on the merged clock, whose origin is the earliest part's, at a whole number of
// intervals (parts started together on the second grid, as k6 and `--start-at` runs are, land exactly). The interval
// records then go through the engine's own merge of worker shards (src/engine/interval-merge.ts): histograms merged
// bucket by bucket, counts summed, VUs summed per interval. Samples are joined by time, each on its exact offset.

import type { IntervalRecord, RunJson, RunPart, RunStatus, SampleRecord, TimeWindow } from './format.ts';
import { IntervalMerge } from '../engine/interval-merge.ts';

/** One shard: its records and where it came from. */
export interface RunShard {
  source: string;
  run: RunJson;
  intervals: readonly IntervalRecord[];
  samples: readonly SampleRecord[];
}

/** The merged run's records. */
export interface MergedRun {
  run: RunJson;
  intervals: IntervalRecord[];
  samples: SampleRecord[];
}

/** How bad a status is: the worst part decides the merged status. */
const SEVERITY: Record<RunStatus, number> = { completed: 0, running: 1, aborted: 2, interrupted: 3, invalid: 4 };

/** Merges shards of one test; throws on an empty list. `intervalMs` is the grid the offsets are rounded to. */
export function mergeRuns(shards: readonly RunShard[], opts: { id: string; intervalMs?: number }): MergedRun {
  // origins -> offsets on the grid -> IntervalMerge (the --workers merge) -> samples joined by time -> run.json
  if (shards.length === 0) throw new Error('mergeRuns needs one shard at least');
  const intervalMs = opts.intervalMs ?? 1000;
  const origins = shards.map((s) => Date.parse(s.run.startedAt));
  const base = Math.min(...origins);
  const exact = origins.map((o) => o - base);
  const offsets = exact.map((o) => Math.round(o / intervalMs) * intervalMs);
  const intervals: IntervalRecord[] = [];
  const merge = new IntervalMerge(shards.length, (records) => intervals.push(...records));
  shards.forEach((s, i) => merge.add(i, s.intervals.map((r) => ({ ...r, tMs: r.tMs + offsets[i]! }))));
  shards.forEach((_, i) => merge.finish(i));
  const samples = shards
    .flatMap((s, i) => s.samples.map((x) => ({ ...x, tMs: x.tMs + exact[i]! })))
    .sort((a, b) => a.tMs - b.tMs);
  return { run: mergedRunJson(shards, offsets, base, opts.id), intervals, samples };
}

function shifted(windows: readonly TimeWindow[], offsetMs: number): TimeWindow[] {
  return windows.map((w) => ({ ...w, startMs: w.startMs + offsetMs, endMs: w.endMs + offsetMs }));
}

/** The phases of the part whose load started first (every part runs the same schedule), on the merged clock. */
function mergedPhases(shards: readonly RunShard[], offsets: readonly number[]): TimeWindow[] {
  let best: TimeWindow[] = [];
  let bestStart = Infinity;
  shards.forEach((s, i) => {
    const start = s.run.phases.length ? s.run.phases[0]!.startMs + offsets[i]! : Infinity;
    if (start < bestStart) {
      bestStart = start;
      best = shifted(s.run.phases, offsets[i]!);
    }
  });
  return best;
}

/** The shards' scenarios of a `scenarios` map, each one's peaks added across the shards (by name). */
function mergedScenarioLoads(runs: readonly RunJson[]): Pick<RunJson['load'], 'scenarios'> {
  if (!runs[0]!.load.scenarios) return {};
  const byName = new Map<string, NonNullable<RunJson['load']['scenarios']>[number]>();
  for (const s of runs.flatMap((r) => r.load.scenarios ?? [])) {
    const m = byName.get(s.name);
    if (!m) byName.set(s.name, { ...s });
    else {
      if (s.peakVUs !== undefined) m.peakVUs = (m.peakVUs ?? 0) + s.peakVUs;
      if (s.peakRatePerS !== undefined) m.peakRatePerS = (m.peakRatePerS ?? 0) + s.peakRatePerS;
    }
  }
  return { scenarios: [...byName.values()] };
}

function mergedRunJson(shards: readonly RunShard[], offsets: readonly number[], baseMs: number, id: string): RunJson {
  const runs = shards.map((s) => s.run);
  const first = runs[0]!;
  const ends = runs.map((r, i) => offsets[i]! + (r.durationMs ?? r.plannedDurationMs));
  const worst = runs.reduce((w, r) => (SEVERITY[r.status] > SEVERITY[w.status] ? r : w), first);
  const reasons = runs.flatMap((r, i) => (r.statusReason ? [`${shards[i]!.source}: ${r.statusReason}`] : []));
  const sum = (f: (r: RunJson) => number | undefined): number | undefined => (runs.some((r) => f(r) !== undefined) ? runs.reduce((a, r) => a + (f(r) ?? 0), 0) : undefined);
  const peakRate = sum((r) => r.load.peakRatePerS);
  const parts: RunPart[] = runs.map((r, i) => ({ id: r.id, source: shards[i]!.source, startedAt: r.startedAt, offsetMs: offsets[i]!, status: r.status }));
  const names = new Set(runs.map((r) => r.scenario));
  const durationMs = Math.max(...ends);
  const run: RunJson = {
    ...first,
    id,
    scenario: names.size === 1 ? first.scenario : 'merged',
    startedAt: new Date(baseMs).toISOString(),
    endedAt: new Date(baseMs + durationMs).toISOString(),
    durationMs,
    plannedDurationMs: Math.max(...runs.map((r) => r.plannedDurationMs)),
    status: worst.status,
    load: { executor: first.load.executor, peakVUs: sum((r) => r.load.peakVUs), ...(peakRate !== undefined ? { peakRatePerS: peakRate } : {}), ...mergedScenarioLoads(runs) },
    environment: { ...first.environment, workers: runs.reduce((a, r) => a + r.environment.workers, 0) },
    phases: mergedPhases(shards, offsets),
    faults: shards.flatMap((s, i) => shifted(s.run.faults, offsets[i]!)),
    parts,
  };
  delete run.executionSegment; // the merged run is the whole schedule (its parts keep theirs)
  if (reasons.length) run.statusReason = reasons.join('; ');
  else delete run.statusReason;
  if (run.exitCode !== undefined) run.exitCode = Math.max(...runs.map((r) => r.exitCode ?? 0));
  if (worst.abortedBy) run.abortedBy = { ...worst.abortedBy, atMs: worst.abortedBy.atMs + offsets[runs.indexOf(worst)]! };
  if (runs.some((r) => r.imported)) run.imported = mergeImportInfo(runs);
  return run;
}

function mergeImportInfo(runs: readonly RunJson[]): RunJson['imported'] {
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  };
  const points: Record<string, number> = {};
  const ignoredMetrics: Record<string, number> = {};
  const files: string[] = [];
  for (const r of runs) {
    if (!r.imported) continue;
    files.push(...r.imported.files);
    add(points, r.imported.points);
    add(ignoredMetrics, r.imported.ignoredMetrics);
  }
  return { tool: 'k6', files, points, ignoredMetrics };
}
