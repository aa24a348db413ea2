// A quick capacity probe on autocannon (closed loop, `-c` connections), written in perfgate's run format.
// Approximate: autocannon is a closed loop (coordinated omission is not corrected) and its response latencies are its
// own. A failed request is recorded at the time it took to fail, as the engine does: a connection error at the time
// from the request to the error, a timeout at the full timeout.

import autocannon from 'autocannon';
import type { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { arch, cpus, platform } from 'node:os';
import { performance } from 'node:perf_hooks';
import { EXIT } from '../errors.ts';
import { FORMAT_VERSION, RUN_FILES, type ErrorClass, type RunJson, type SummaryJson } from '../results/format.ts';
import { RunDirWriter } from '../results/run-dir-writer.ts';
import { readRunDir } from '../results/read.ts';
import { buildSummary } from '../results/summary.ts';
import { guardTarget } from '../engine/host-guard.ts';
import { redactUrl } from '../redact.ts';
import { classifyError, classifyStatus, isExpectedStatus } from '../engine/error-class.ts';
import { Recorder, type StepStats } from '../engine/recorder.ts';
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
  /** 0, 99 when no request succeeded, 105 when interrupted. */
  exitCode: number;
  /** Requests sent, ok or not. */
  requests: number;
  /** Requests that failed (no response, or a status outside 200-399). */
  failed: number;
  /** Failed requests by error class. */
  errors: Partial<Record<ErrorClass, number>>;
  /** Successful responses per second over the probe. */
  okPerS: number;
}

/** Counts of the probe's requests, kept beside the recorder. */
interface ProbeCounts {
  requests: number;
  failed: number;
  errors: Partial<Record<ErrorClass, number>>;
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
    config: { probe: { tool: 'autocannon', url: redactUrl(opts.url), connections, durationS, timeoutS, approximate: 'closed loop; per-response latency from autocannon; a failed request at the time it took to fail, a timeout at the full timeout' } },
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
  const counts: ProbeCounts = { requests: 0, failed: 0, errors: {} };
  let finish: (err: Error | null) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => (finish = (err) => (err ? reject(err) : resolve())));
  const setupClient = (client: EventEmitter) => recordClient(client, step, recorder, counts, timeoutS);
  const instance = autocannon({ url: opts.url, connections, duration: durationS, timeout: timeoutS, setupClient }, (err) => finish(err ?? null));
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
  run.exitCode = opts.signal?.aborted ? EXIT.interrupted : counts.failed === counts.requests ? EXIT.thresholdsFailed : EXIT.ok;
  writer.writeRun(run);
  const data = await readRunDir(writer.dir);
  const summary = buildSummary({ run, intervals: data.intervals, samples: data.samples });
  writer.writeJson(RUN_FILES.summary, summary);
  writer.close();
  const okPerS = (counts.requests - counts.failed) / ((performance.now() - t0) / 1000);
  return { runDir: writer.dir, run, summary, exitCode: run.exitCode, ...counts, okPerS };
}

/**
 * Records every request of one autocannon client (one connection, one request in flight). autocannon emits
 * `request` as it writes a request, `response` with its latency, `connError` when the socket fails (it then
 * reconnects and writes the next request) and `timeout` after reconnecting on a timeout.
 */
function recordClient(client: EventEmitter, step: StepStats, recorder: Recorder, counts: ProbeCounts, timeoutS: number): void {
  let sentAt = performance.now();
  const record = (durationUs: number, status: number, errorClass: ErrorClass | undefined, bytesIn: number) => {
    counts.requests++;
    if (errorClass) {
      counts.failed++;
      counts.errors[errorClass] = (counts.errors[errorClass] ?? 0) + 1;
    }
    step.request(durationUs, !errorClass, status, errorClass, status ? durationUs : 0, bytesIn, 0);
    recorder.iteration(durationUs);
  };
  client.on('request', () => (sentAt = performance.now()));
  client.on('response', (statusCode: number, resBytes: number, responseTimeMs: number) =>
    record(responseTimeMs * 1000, statusCode, isExpectedStatus(statusCode, undefined) ? undefined : classifyStatus(statusCode), resBytes));
  client.on('connError', (err: NodeJS.ErrnoException) => record((performance.now() - sentAt) * 1000, 0, classifyError(err), 0));
  client.on('timeout', () => record(timeoutS * 1e6, 0, 'timeout', 0));
}
