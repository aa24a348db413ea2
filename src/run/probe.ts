// A quick capacity probe on autocannon (closed loop, `-c` connections), written in perfgate's run format.
// Approximate: autocannon is a closed loop (coordinated omission is not corrected), its latencies are its own
// (ms resolution), and connection errors have no duration (recorded at 1 us); timeouts at the full timeout.

import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { arch, cpus, platform } from 'node:os';
import { performance } from 'node:perf_hooks';
import { EXIT } from '../errors.ts';
import { FORMAT_VERSION, RUN_FILES, type RunJson, type SummaryJson } from '../results/format.ts';
import { RunDirWriter } from '../results/run-dir-writer.ts';
import { readRunDir } from '../results/read.ts';
import { buildSummary } from '../results/summary.ts';
import { guardTarget } from '../engine/host-guard.ts';
import { redactUrl } from '../redact.ts';
import { classifyError, classifyStatus, isExpectedStatus } from '../engine/error-class.ts';
import { Recorder } from '../engine/recorder.ts';
import { GeneratorHealth } from '../engine/generator-health.ts';
import { PERFGATE_VERSION } from '../version.ts';

/** Options of probe. */
export interface ProbeOptions {
  url: string;
  connections?: number;
  durationS?: number;
  timeoutS?: number;
  out?: string;
  reportsDir?: string;
  allowHosts?: string[];
  signal?: AbortSignal;
  /** Called with each interval's records as they close. */
  onInterval?: (records: import('../results/format.ts').IntervalRecord[]) => void;
}

/** The probe's outcome. */
export interface ProbeOutcome {
  runDir: string;
  run: RunJson;
  summary: SummaryJson;
  exitCode: number;
  requestsPerS: number;
}

/** Runs autocannon against a URL and writes a run directory. */
export async function probe(opts: ProbeOptions): Promise<ProbeOutcome> {
  // guard -> run dir (running) -> autocannon with per-response recording into 1 s intervals -> summary -> run.json
  const connections = opts.connections ?? 50;
  const durationS = opts.durationS ?? 10;
  const timeoutS = opts.timeoutS ?? 10;
  await guardTarget(opts.url, opts.allowHosts ?? []);
  const startedAt = new Date();
  const t0 = performance.now();
  const writer = RunDirWriter.create({ out: opts.out, reportsDir: opts.reportsDir, scenario: 'probe', startedAt });
  const run: RunJson = {
    format: FORMAT_VERSION, id: randomUUID(), scenario: 'probe', description: `autocannon -c ${connections} -d ${durationS} ${redactUrl(opts.url)}`,
    profile: 'full', startedAt: startedAt.toISOString(), plannedDurationMs: durationS * 1000, status: 'running',
    target: { baseUrl: redactUrl(opts.url) }, load: { executor: 'constant-vus', peakVUs: connections },
    config: { probe: { tool: 'autocannon', url: redactUrl(opts.url), connections, durationS, timeoutS, approximate: 'closed loop; per-response latency from autocannon; connection errors recorded at 1 us' } },
    environment: { node: process.version, os: platform(), arch: arch(), cpus: cpus().length, perfgateVersion: PERFGATE_VERSION, workers: 1 },
    phases: [], faults: [],
  };
  writer.writeRun(run);
  const recorder = new Recorder(1000);
  const health = new GeneratorHealth();
  const step = recorder.step('probe', 'GET');
  let interval = 0;
  const flush = (final: boolean) => {
    const tMs = interval * 1000;
    recorder.setVus(final ? 0 : connections);
    const records = recorder.take(tMs, health.interval());
    if (final) for (const r of records) r.intervalMs = Math.max(1, Math.min(1000, Math.round(performance.now() - t0 - tMs)));
    writer.appendIntervals(records);
    writer.flush();
    opts.onInterval?.(records);
    interval++;
  };
  const timer = setInterval(() => flush(false), 1000);
  recorder.setVus(connections);
  let total = 0;
  let finish: (err: Error | null) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => (finish = (err) => (err ? reject(err) : resolve())));
  const instance = autocannon({ url: opts.url, connections, duration: durationS, timeout: timeoutS }, (err) => finish(err ?? null));
  instance.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTime: number) => {
    total++;
    const ok = isExpectedStatus(statusCode, undefined);
    step.request(responseTime * 1000, ok, statusCode, ok ? undefined : classifyStatus(statusCode), responseTime * 1000, resBytes, 0);
    recorder.iteration(responseTime * 1000);
  });
  instance.on('reqError', (err: NodeJS.ErrnoException) => {
    total++;
    const timeout = /timed out/.test(err.message);
    step.request(timeout ? timeoutS * 1e6 : 1, false, 0, timeout ? 'timeout' : classifyError(err), 0, 0, 0);
  });
  const onAbort = () => instance.stop();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  await finished;
  opts.signal?.removeEventListener('abort', onAbort);
  clearInterval(timer);
  flush(true);
  health.stop();
  const endedAt = new Date();
  run.status = opts.signal?.aborted ? 'interrupted' : 'completed';
  run.endedAt = endedAt.toISOString();
  run.durationMs = endedAt.getTime() - startedAt.getTime();
  run.exitCode = opts.signal?.aborted ? EXIT.interrupted : EXIT.ok;
  writer.writeRun(run);
  const data = await readRunDir(writer.dir);
  const summary = buildSummary({ run, intervals: data.intervals, samples: data.samples });
  writer.writeJson(RUN_FILES.summary, summary);
  writer.close();
  return { runDir: writer.dir, run, summary, exitCode: run.exitCode, requestsPerS: total / ((performance.now() - t0) / 1000) };
}
