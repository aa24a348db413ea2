// LabInfo: what a running lab publishes (URLs, PIDs, ports, logs), stored in .perfgate/lab.json (mode 0600,
// since its URLs carry passwords) so `lab status`, `lab down`, `run --lab` and the collectors can find the lab.

import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { redactUrl } from '../redact.ts';
import { writeJsonAtomic } from '../results/atomic-write.ts';
import type { PrometheusInfo } from './prometheus.ts';

/** One service of the lab: its PID (the process group leader), port and log file. */
export interface LabService {
  pid: number;
  port: number;
  logFile: string;
}

/** A running lab, as written to .perfgate/lab.json. */
export interface LabInfo {
  /** Format of this record. */
  version: 1;
  /** PID of the process that owns the lab (the supervisor in background mode). */
  pid: number;
  /** ISO 8601 start time. */
  startedAt: string;
  /** The temporary folder holding every data directory, config and log (removed by `lab down`). */
  stateDir: string;
  databaseUrl: string;
  redisUrl: string;
  pgbouncerUrl?: string;
  pgbouncerAdminUrl?: string;
  upstreamUrl: string;
  upstreamControlUrl: string;
  /** Bearer token the upstream simulator's control POSTs need (with `content-type: application/json`). */
  upstreamControlToken?: string;
  targetUrl: string;
  /** targetUrl + /metrics */
  metricsUrl: string;
  /** The bearer token /metrics requires (the target's METRICS_TOKEN). */
  metricsToken?: string;
  /** With `tls`: the PEM file of the lab's CA, which the target's HTTPS certificate chains to. */
  caFile?: string;
  /** CSV of pre-minted access tokens (column `token`). */
  tokensFile: string;
  /** Number of target workers (TARGET_WORKERS). */
  workers: number;
  /** The seed size loaded. */
  seed: 'small' | 'default' | 'none';
  services: Record<string, LabService>;
  /** Fault control endpoint of a lab owned by another process (see control.ts), and its bearer token. */
  controlUrl?: string;
  controlToken?: string;
  /** The lab's Prometheus (`lab up --prometheus`), when it runs one. */
  prometheus?: PrometheusInfo;
}

/** The .perfgate folder of a working directory. */
export function perfgateDir(cwd = process.cwd()): string {
  return join(cwd, '.perfgate');
}

/** Where lab.json lives for a working directory. */
export function labInfoPath(cwd = process.cwd()): string {
  return join(perfgateDir(cwd), 'lab.json');
}

/** Writes lab.json atomically (temp file, then rename) with mode 0600. */
export function writeLabInfo(info: LabInfo, cwd = process.cwd()): string {
  const dir = perfgateDir(cwd);
  mkdirSync(dir, { recursive: true });
  const path = labInfoPath(cwd);
  writeJsonAtomic(path, info, 0o600);
  return path;
}

/** Reads lab.json, or null when there is none (or it is unreadable). */
export function readLabInfo(cwd = process.cwd()): LabInfo | null {
  try {
    const info = JSON.parse(readFileSync(labInfoPath(cwd), 'utf8')) as LabInfo;
    return info && typeof info === 'object' && typeof info.pid === 'number' && typeof info.targetUrl === 'string' ? info : null;
  } catch {
    return null;
  }
}

/** Deletes lab.json (no error when absent). */
export function removeLabInfo(cwd = process.cwd()): void {
  rmSync(labInfoPath(cwd), { force: true });
}

/** A copy of a LabInfo with every URL redacted and the tokens removed (for printing). */
export function redactLabInfo(info: LabInfo): LabInfo {
  const out = { ...info };
  delete out.controlToken;
  delete out.upstreamControlToken;
  delete out.metricsToken;
  for (const key of ['databaseUrl', 'pgbouncerUrl', 'pgbouncerAdminUrl', 'redisUrl'] as const) {
    const value = out[key];
    if (value) out[key] = redactUrl(value);
  }
  return out;
}
