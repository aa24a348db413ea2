// The lab's Prometheus (`lab up --prometheus`, a scenario's `lab: { prometheus: true }`): Debian's prometheus on a
// free 127.0.0.1 port, its data in the lab's folder, scraping the target (with the lab's metrics token, read from a
// 0600 file) and the harness of the run in progress (a file_sd target list the run writes), loading the exported
// rules, with scrape and evaluation intervals short enough for a drill. A run changes the rules (its scenario's
// alert overrides) by rewriting the rules file and sending SIGHUP, so a background lab works the same way.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.ts';
import { requireBinary, type BinarySearch } from './binaries.ts';
import { manageService, spawnService, waitUntilReady } from './process.ts';
import { writeFileAtomic } from '../results/atomic-write.ts';
import { LabError } from '../errors.ts';
import type { LabInfo } from './lab-info.ts';

/** The scrape and rule evaluation interval of the lab's Prometheus: short, for drills of a minute or less. */
export const LAB_SCRAPE_INTERVAL_MS = 1_000;

/** What a run needs to know of the lab's Prometheus (stored in lab.json). */
export interface PrometheusInfo {
  /** http://127.0.0.1:<port> (the HTTP API is under /api/v1). */
  url: string;
  pid: number;
  port: number;
  logFile: string;
  scrapeIntervalMs: number;
  evaluationIntervalMs: number;
  /** The rules file Prometheus loads (rewritten by a run, then SIGHUP). */
  rulesFile: string;
  /** The file_sd target list of the harness job (a run writes its --metrics-port address there). */
  harnessTargetsFile: string;
}

/** Options of startPrometheus. */
export interface PrometheusOptions {
  /** Folder for the config, the rules, the target lists and the TSDB (data/). */
  dir: string;
  logFile: string;
  /** host:port of the target's /metrics, when the lab has a target. */
  targetAddress?: string;
  /** The bearer token the target's /metrics needs (written to a 0600 file, never on a command line). */
  metricsToken?: string;
  /** The CA file of a target served over https: the target job then scrapes https and verifies against it. */
  targetCaFile?: string;
  /** The rules file's text (perfgate export prometheus-rules). */
  rulesYaml: string;
  scrapeIntervalMs?: number;
  search?: BinarySearch;
  readyTimeoutMs?: number;
}

/** A running lab Prometheus. */
export interface PrometheusHandle {
  readonly name: 'prometheus';
  readonly info: PrometheusInfo;
  stop(): Promise<void>;
}

/** Seconds as Prometheus writes a duration ("1s", "500ms"). */
const promSeconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** The configuration (JSON is YAML, so prometheus.yml is written as JSON): global intervals, rules, the jobs. */
export function prometheusConfig(opts: { scrapeIntervalMs: number; rulesFile: string; harnessTargetsFile: string; selfAddress: string; targetAddress?: string; tokenFile?: string; targetCaFile?: string }): Record<string, unknown> {
  const interval = promSeconds(opts.scrapeIntervalMs);
  const jobs: Array<Record<string, unknown>> = [
    { job_name: 'prometheus', static_configs: [{ targets: [opts.selfAddress] }] },
    // file_sd: Prometheus watches the file, so a run's harness is scraped from the moment it is written
    { job_name: 'harness', file_sd_configs: [{ files: [opts.harnessTargetsFile], refresh_interval: interval }] },
  ];
  if (opts.targetAddress) {
    jobs.push({
      job_name: 'target',
      metrics_path: '/metrics',
      static_configs: [{ targets: [opts.targetAddress] }],
      ...(opts.targetCaFile ? { scheme: 'https', tls_config: { ca_file: opts.targetCaFile } } : {}),
      ...(opts.tokenFile ? { authorization: { type: 'Bearer', credentials_file: opts.tokenFile } } : {}),
    });
  }
  return {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: [opts.rulesFile],
    scrape_configs: jobs,
  };
}

/** Writes the harness job's target list: the addresses (host:port) of the harness endpoints being scraped. */
export function setHarnessTargets(info: Pick<PrometheusInfo, 'harnessTargetsFile'>, addresses: readonly string[], labels: Record<string, string> = {}): void {
  const groups = addresses.length ? [{ targets: [...addresses], labels }] : [];
  writeFileAtomic(info.harnessTargetsFile, `${JSON.stringify(groups)}\n`, 0o644);
}

/** Reads a `# TYPE`-less gauge line's value from a Prometheus /metrics text (its own metrics). */
function gaugeValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : undefined;
}

/** Prometheus' own reload metrics: whether the last reload worked, and when the last good one was (Unix s). */
async function reloadState(url: string): Promise<{ ok: boolean; at: number }> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) });
  const text = await res.text();
  return { ok: gaugeValue(text, 'prometheus_config_last_reload_successful') === 1, at: gaugeValue(text, 'prometheus_config_last_reload_success_timestamp_seconds') ?? 0 };
}

/**
 * Replaces the rules (when given) and reloads the configuration (SIGHUP); resolves once Prometheus has reloaded.
 * A rules file Prometheus refuses is put back as it was, and the error names the log.
 */
export async function reloadPrometheus(info: PrometheusInfo, rulesYaml?: string, timeoutMs = 15_000): Promise<void> {
  const before = await reloadState(info.url);
  const previous = rulesYaml !== undefined ? readFileSync(info.rulesFile, 'utf8') : undefined;
  if (rulesYaml !== undefined) writeFileAtomic(info.rulesFile, rulesYaml, 0o644);
  // the success timestamp has a resolution of 1 s: wait for the next second, so a new reload is seen as newer
  await sleep(Math.max(0, (Math.floor(before.at) + 1) * 1000 - Date.now() + 20));
  process.kill(info.pid, 'SIGHUP');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await sleep(100);
    const now = await reloadState(info.url).catch(() => undefined);
    if (now && now.ok && now.at > before.at) return;
    if (now && !now.ok) {
      if (previous !== undefined) writeFileAtomic(info.rulesFile, previous, 0o644);
      throw new LabError(`prometheus: the reload failed (see ${info.logFile})`);
    }
  }
  throw new LabError(`prometheus: no reload within ${timeoutMs / 1000} s of SIGHUP (see ${info.logFile})`);
}

/**
 * Starts a private Prometheus.
 * find prometheus -> free port -> config, rules, token file, empty harness list -> spawn -> wait for /-/ready.
 */
export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusHandle> {
  const bin = requireBinary('prometheus', opts.search);
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const port = await freePort();
  const scrapeIntervalMs = opts.scrapeIntervalMs ?? LAB_SCRAPE_INTERVAL_MS;
  const rulesFile = join(opts.dir, 'rules.yml');
  const harnessTargetsFile = join(opts.dir, 'harness-targets.json');
  const configFile = join(opts.dir, 'prometheus.yml');
  const tokenFile = opts.metricsToken ? join(opts.dir, 'metrics-token') : undefined;
  if (tokenFile) writeFileSync(tokenFile, opts.metricsToken!, { mode: 0o600 });
  writeFileSync(rulesFile, opts.rulesYaml);
  setHarnessTargets({ harnessTargetsFile }, []);
  const config = prometheusConfig({ scrapeIntervalMs, rulesFile, harnessTargetsFile, selfAddress: `127.0.0.1:${port}`, targetAddress: opts.targetAddress, tokenFile, targetCaFile: opts.targetCaFile });
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(opts.dir, 'data')}`,
    '--storage.tsdb.retention.time=2d',
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ];
  const service = await manageService({
    spawn: () => spawnService({ name: 'prometheus', command: bin, args, logFile: opts.logFile, cwd: opts.dir }),
    ready: (proc) => waitUntilReady(async () => (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) })).ok, { name: 'prometheus', logFile: opts.logFile, proc, deadlineMs: opts.readyTimeoutMs ?? 30_000 }),
    ownedDir: null,
    stop: { signal: 'SIGTERM', graceMs: 10_000 },
  });
  const info: PrometheusInfo = { url, pid: service.pid, port, logFile: opts.logFile, scrapeIntervalMs, evaluationIntervalMs: scrapeIntervalMs, rulesFile, harnessTargetsFile };
  return { name: 'prometheus', info, stop: service.stop };
}

/** Starts the lab's Prometheus on the lab's target and records it in the LabInfo (`prometheus`, `services.prometheus`). */
export async function startLabPrometheus(info: LabInfo, opts: { stateDir: string; logs: string; rulesYaml: string; search?: BinarySearch }): Promise<PrometheusHandle> {
  const target = info.services.target;
  const handle = await startPrometheus({
    dir: join(opts.stateDir, 'prometheus'),
    logFile: join(opts.logs, 'prometheus.log'),
    ...(target ? { targetAddress: `127.0.0.1:${target.port}`, metricsToken: info.metricsToken, ...(info.caFile ? { targetCaFile: info.caFile } : {}) } : {}),
    rulesYaml: opts.rulesYaml,
    search: opts.search,
  });
  info.prometheus = handle.info;
  info.services.prometheus = { pid: handle.info.pid, port: handle.info.port, logFile: handle.info.logFile };
  return handle;
}
