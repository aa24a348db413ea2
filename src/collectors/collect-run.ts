// `perfgate collect` as a library call: the collectors alone, for a duration, into a run directory (run.json,
// samples.ndjson streamed, summary.json), for load that comes from elsewhere.

import { gitInfo } from '../results/git-info.ts';
import { randomUUID } from 'node:crypto';
import { arch, cpus, platform } from 'node:os';
import { join } from 'node:path';
import type { CollectorsOptions } from '../scenario/types.ts';
import { FORMAT_VERSION, RUN_FILES, type RunJson, type RunStatus, type SampleRecord } from '../results/format.ts';
import { RunDirWriter } from '../results/run-dir-writer.ts';
import { readRecords } from '../results/read.ts';
import { buildSummary } from '../results/summary.ts';
import { PERFGATE_VERSION } from '../version.ts';
import { createSampler, type SamplerStats } from './sampler.ts';
import { createCollectors, guardCollectors, planCollectors, resolveIntervalMs, serviceGroups, type LabUrls } from './resolve.ts';

/** Options of runCollect. */
export interface CollectOptions {
  collectors: CollectorsOptions;
  durationMs: number;
  env?: NodeJS.ProcessEnv;
  lab?: LabUrls;
  /** Hosts besides loopback the collectors may reach (--allow-host), as for targets. */
  allowHosts?: readonly string[];
  /** An explicit run directory; otherwise reports/<stamp>-collect under reportsDir. */
  out?: string;
  reportsDir?: string;
  /** Stops early; the run is then `interrupted`. */
  signal?: AbortSignal;
  /** Progress lines for a terminal. */
  onLog?: (line: string) => void;
}

/** What runCollect leaves behind. */
export interface CollectResult {
  dir: string;
  status: RunStatus;
  stats: SamplerStats;
}

/** Waits out the duration, or until the signal aborts; resolves true when the signal cut it short. */
function waitForEnd(durationMs: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => finish(false), durationMs);
    const onAbort = (): void => finish(true);
    function finish(interrupted: boolean): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(interrupted);
    }
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs the collectors for the duration (or until aborted) and writes a complete run directory. */
export async function runCollect(opts: CollectOptions): Promise<CollectResult> {
  // validate + resolve (ConfigError) ─► host guard (HostNotAllowedError) ─► RunDirWriter (run.json: running) ─► sampler ─► appendSample, flush per tick
  //   ─► duration elapsed or signal ─► sampler.stop() (final readings, close) ─► run.json (completed|interrupted)
  //   ─► summary.json from samples.ndjson ─► close (reports/latest)
  const env = opts.env ?? process.env;
  const plans = await guardCollectors(planCollectors(opts.collectors, env, opts.lab), opts.allowHosts);
  const collectors = createCollectors(plans, opts.collectors, { serviceGroups: serviceGroups(opts.lab) });
  const intervalMs = resolveIntervalMs(opts.collectors);
  const startedAt = new Date();
  const t0 = performance.now();
  const writer = RunDirWriter.create({ out: opts.out, reportsDir: opts.reportsDir, scenario: 'collect', startedAt });
  const run: RunJson = {
    format: FORMAT_VERSION,
    id: randomUUID(),
    scenario: 'collect',
    description: 'collectors only (perfgate collect)',
    profile: 'full',
    startedAt: startedAt.toISOString(),
    plannedDurationMs: opts.durationMs,
    status: 'running',
    target: { baseUrl: plans.find((p) => p.name === 'prometheus')?.where ?? '' },
    load: { executor: 'none' },
    config: { collectors: plans.map((p) => ({ name: p.name, url: p.where, from: p.from })), intervalMs },
    environment: { node: process.version, os: platform(), arch: arch(), cpus: cpus().length, perfgateVersion: PERFGATE_VERSION, ...gitInfo(process.cwd()), workers: 0 },
    phases: [],
    faults: [],
  };
  writer.writeRun(run);
  opts.onLog?.(`collecting ${plans.map((p) => p.name).join(', ')} every ${intervalMs} ms for ${opts.durationMs} ms into ${writer.dir}`);
  const sampler = createSampler({
    collectors,
    intervalMs,
    clock: () => Math.round(performance.now() - t0),
    write: (s: SampleRecord) => writer.appendSample(s),
  });
  const flushTimer = setInterval(() => writer.flush(), intervalMs);
  let interrupted = false;
  sampler.start();
  try {
    interrupted = await waitForEnd(opts.durationMs, opts.signal);
  } finally {
    clearInterval(flushTimer);
    await sampler.stop();
    writer.flush();
  }
  const stats = sampler.stats();
  const durationMs = Math.round(performance.now() - t0);
  run.status = interrupted ? 'interrupted' : 'completed';
  if (interrupted) run.statusReason = 'stopped by a signal before the planned duration';
  run.endedAt = new Date().toISOString();
  run.durationMs = durationMs;
  run.exitCode = interrupted ? 105 : 0;
  writer.writeRun(run);
  const samples: SampleRecord[] = [];
  for await (const s of readRecords<SampleRecord>(join(writer.dir, RUN_FILES.samples))) samples.push(s);
  writer.writeJson(RUN_FILES.summary, buildSummary({ run, intervals: [], samples }));
  writer.close();
  opts.onLog?.(`${stats.samples} samples, ${stats.gaps} gaps in ${writer.dir}`);
  return { dir: writer.dir, status: run.status, stats };
}
