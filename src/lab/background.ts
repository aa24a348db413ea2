// A lab in the background: `lab up` spawns a detached supervisor (the CLI in foreground mode) that owns the
// services, writes .perfgate/lab.json and reports progress over IPC; `lab down` stops it by PID and cleans up.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { readLabInfo, removeLabInfo, perfgateDir, type LabInfo } from './lab-info.ts';
import { commandLine, isAlive, logTail, removeDir, stopPid } from './process.ts';
import { LabError } from '../errors.ts';

/** The perfgate launcher the supervisor runs. */
const PERFGATE_BIN = fileURLToPath(new URL('../../bin/perfgate.js', import.meta.url));

/** Messages the supervisor sends its parent over IPC. */
export type SupervisorMessage =
  | { type: 'log'; line: string }
  | { type: 'ready'; info: LabInfo }
  | { type: 'error'; message: string; exitCode: number };

/** Options for the background lab: the `lab up` flags passed on to the supervisor. */
export interface BackgroundOptions {
  pgbouncer?: boolean;
  /** The target over HTTPS (--tls). */
  tls?: boolean;
  /** false: data services only (--no-target). */
  target?: boolean;
  workers?: number;
  seed?: 'small' | 'default' | 'none';
  /** Run the lab's Prometheus (--prometheus). */
  prometheus?: boolean;
  cwd?: string;
  onLog?: (line: string) => void;
  /** How long to wait for the lab (default 5 minutes). */
  timeoutMs?: number;
}

/** Where the supervisor's own output goes. */
export function supervisorLogPath(cwd = process.cwd()): string {
  return join(perfgateDir(cwd), 'lab.log');
}

/** A lab.json whose owner is alive, or null; a stale record is cleaned up (leftover services stopped). */
export async function runningLab(cwd = process.cwd()): Promise<LabInfo | null> {
  const info = readLabInfo(cwd);
  if (!info) return null;
  if (isAlive(info.pid)) return info;
  await cleanUpLab(info, cwd);
  return null;
}

/** Error thrown by a second `lab up`. */
export function alreadyRunning(info: LabInfo): LabError {
  return new LabError(`a lab is already running (pid ${info.pid}, started ${info.startedAt}, target ${info.targetUrl || 'none'}); run \`perfgate lab down\` first`);
}

/**
 * Starts the lab in a detached supervisor and resolves with its LabInfo once every service is ready.
 * spawn supervisor (IPC) → relay progress lines → 'ready' → disconnect and let it run.
 */
export async function startBackgroundLab(opts: BackgroundOptions = {}): Promise<LabInfo> {
  const cwd = opts.cwd ?? process.cwd();
  const existing = await runningLab(cwd);
  if (existing) throw alreadyRunning(existing);
  mkdirSync(perfgateDir(cwd), { recursive: true });
  const logPath = supervisorLogPath(cwd);
  const fd = openSync(logPath, 'w');
  const args = [PERFGATE_BIN, 'lab', 'up', '--foreground', '--supervised'];
  if (opts.pgbouncer) args.push('--pgbouncer');
  if (opts.tls) args.push('--tls');
  if (opts.target === false) args.push('--no-target');
  if (opts.workers !== undefined) args.push('--workers', String(opts.workers));
  if (opts.seed) args.push('--seed', opts.seed);
  if (opts.prometheus) args.push('--prometheus');
  const child = spawn(process.execPath, args, { cwd, detached: true, stdio: ['ignore', fd, fd, 'ipc'] });
  closeSync(fd);
  const supervisorPid = child.pid;
  let aborted = false;
  const abort = (): void => {
    aborted = true;
    opts.onLog?.('interrupted: stopping the lab that was starting');
    if (supervisorPid) process.kill(supervisorPid, 'SIGTERM');
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  try {
    return await new Promise<LabInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        abort();
        reject(new LabError(`the lab was not ready after ${((opts.timeoutMs ?? 300_000) / 1000).toFixed(0)} s; see ${logPath}`));
      }, opts.timeoutMs ?? 300_000);
      child.on('message', (msg: SupervisorMessage) => {
        if (msg.type === 'log') opts.onLog?.(msg.line);
        else if (msg.type === 'ready') {
          clearTimeout(timer);
          resolve(msg.info);
        } else if (msg.type === 'error') {
          clearTimeout(timer);
          const err = new LabError(msg.message);
          reject(err);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        const tail = logTail(logPath, 20);
        if (aborted) reject(new LabError('interrupted: the lab was stopped before it was ready'));
        else reject(new LabError(`the lab supervisor exited (code ${String(code)}) before the lab was ready${tail ? `:\n${tail}` : ''}`));
      });
    });
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
    if (child.connected) child.disconnect();
    child.unref();
  }
}

/** Words expected in each service's command line, to avoid killing a reused PID. */
const COMMAND_TOKENS: Record<string, string> = {
  postgres: 'postgres',
  redis: 'redis',
  pgbouncer: 'pgbouncer',
  upstream: 'upstream',
  target: 'target',
};

/** Stops whatever a lab record still has running (reverse order), removes its folder and lab.json. */
export async function cleanUpLab(info: LabInfo, cwd = process.cwd()): Promise<string[]> {
  const stopped: string[] = [];
  for (const [name, svc] of Object.entries(info.services).reverse()) {
    if (!isAlive(svc.pid)) continue;
    const cmd = commandLine(svc.pid);
    const token = COMMAND_TOKENS[name];
    if (cmd !== null && token && !cmd.includes(token)) continue; // PID reused by something else
    await stopPid(svc.pid, { signal: name === 'postgres' ? 'SIGINT' : 'SIGTERM', graceMs: 10_000 });
    stopped.push(name);
  }
  if (info.stateDir && basename(info.stateDir).startsWith('perfgate-lab-') && existsSync(info.stateDir)) removeDir(info.stateDir);
  removeLabInfo(cwd);
  return stopped;
}

/**
 * Stops the lab recorded in lab.json: SIGTERM to its owner (which tears everything down), then stops any
 * leftover service by PID and removes the folder. Resolves false when no lab was recorded.
 */
export async function stopLab(cwd = process.cwd(), timeoutMs = 60_000): Promise<boolean> {
  const info = readLabInfo(cwd);
  if (!info) return false;
  if (info.pid !== process.pid && isAlive(info.pid)) {
    try {
      process.kill(info.pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
    const deadline = Date.now() + timeoutMs;
    while (isAlive(info.pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
  }
  await cleanUpLab(info, cwd);
  return true;
}
