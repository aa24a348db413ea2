// Child processes of the lab: spawn with the log in a file, wait until ready with a deadline, stop by PID
// (signal, grace period, then SIGKILL of the whole process group). Every child runs in its own process group.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from '../errors.ts';

/** How to start one service process. */
export interface SpawnSpec {
  /** Service name used in messages ("postgres", "redis"). */
  name: string;
  command: string;
  args: string[];
  /** Where stdout and stderr go (appended). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (root only): the child calls setgid/setuid before exec. */
  uid?: number;
  gid?: number;
  /** Keep stdout as a pipe (tee'd into the log file) so the caller can read it. */
  pipeStdout?: boolean;
}

/** A running service process. `exited` resolves with the exit code (or the signal name). */
export interface ServiceProcess {
  name: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  exited: Promise<number | string | null>;
  /** True once the process has exited. */
  readonly hasExited: boolean;
}

const live = new Set<number>();
const ownedDirs = new Set<string>();
let exitHookInstalled = false;

/** On process exit, SIGKILL every process group still running and remove owned folders (synchronously). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live) signalGroup(pid, 'SIGKILL');
    for (const dir of ownedDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort at exit
      }
    }
  });
}

/** Registers a folder to delete at process exit if nobody removed it before. */
export function removeAtExit(dir: string): void {
  installExitHook();
  ownedDirs.add(dir);
}

/** Removes a folder now and forgets it. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  ownedDirs.delete(dir);
}

/** Starts a service process in its own process group with its output appended to its log file. */
export function spawnService(spec: SpawnSpec): ServiceProcess {
  installExitHook();
  const fd = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', spec.pipeStdout ? 'pipe' : fd, fd],
      detached: true,
      uid: spec.uid,
      gid: spec.gid,
    });
  } finally {
    if (!spec.pipeStdout) closeSync(fd);
  }
  if (spec.pipeStdout && child.stdout) {
    const logFd = fd;
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        writeAll(logFd, chunk);
      } catch {
        // the log is best effort
      }
    });
    child.stdout.on('close', () => closeSync(logFd));
  }
  let exitedFlag = false;
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      if (child.pid) live.delete(child.pid);
      resolve(code ?? signal);
    });
    child.once('error', () => {
      exitedFlag = true;
      resolve(null);
    });
  });
  if (!child.pid) {
    throw new LabError(`${spec.name}: could not start ${spec.command}`);
  }
  live.add(child.pid);
  child.unref();
  return {
    name: spec.name,
    pid: child.pid,
    logFile: spec.logFile,
    child,
    exited,
    get hasExited() {
      return exitedFlag;
    },
  };
}

/** Writes a whole buffer to a file descriptor. */
function writeAll(fd: number, chunk: Buffer): void {
  let offset = 0;
  while (offset < chunk.length) offset += writeSync(fd, chunk, offset);
}

/** The last `lines` lines of a log file, or '' when it cannot be read. */
export function logTail(logFile: string, lines = 15): string {
  try {
    const text = readFileSync(logFile, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A LabError naming the service, what went wrong, and the end of its log. */
export function serviceError(name: string, what: string, logFile?: string): LabError {
  const tail = logFile ? logTail(logFile) : '';
  const where = logFile ? `\n  log: ${logFile}` : '';
  const last = tail ? `\n  last lines of the log:\n${tail.replace(/^/gm, '    ')}` : '';
  return new LabError(`${name}: ${what}${where}${last}`);
}

/** Options of waitUntilReady. */
export interface WaitOptions {
  name: string;
  logFile?: string;
  deadlineMs?: number;
  intervalMs?: number;
  /** The process being waited for: waiting ends early if it exits. */
  proc?: ServiceProcess;
}

/** Polls `check` until it resolves true; throws a LabError (with the log tail) at the deadline or on early exit. */
export async function waitUntilReady(check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadlineMs = opts.deadlineMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 100;
  const start = Date.now();
  let lastError = '';
  for (let attempt = 0; attempt < 100_000; attempt++) {
    if (opts.proc?.hasExited) {
      const code = await opts.proc.exited;
      throw serviceError(opts.name, `exited before it was ready (exit ${String(code)})`, opts.logFile);
    }
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() - start > deadlineMs) break;
    await sleep(intervalMs);
  }
  const why = lastError ? ` (last error: ${lastError})` : '';
  throw serviceError(opts.name, `not ready after ${(deadlineMs / 1000).toFixed(0)} s${why}`, opts.logFile);
}

/** Sends a signal to a process group (or, failing that, the process); false when nothing was there. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** The state letter and process group of a PID from /proc (Linux), or null when it does not exist there. */
function procStat(pid: number): { state: string; ppid: number; pgrp: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

const hasProc = process.platform === 'linux';

/** Every live descendant of pid (children first found by their parent PID in /proc); empty where there is no /proc. */
export function descendants(pid: number): number[] {
  if (!hasProc) return [];
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length && out.length < 100_000) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/**
 * SIGKILLs a process, its group and every descendant, as a crash does. PostgreSQL's backends each lead a process
 * group of their own (setsid), so a group kill of the postmaster alone leaves them, a walsender streaming on.
 */
export function killTree(pid: number): void {
  const tree = descendants(pid);
  signalGroup(pid, 'SIGKILL');
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** True while a process with this PID exists and is not a zombie (an exited child nobody reaped). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (hasProc) {
    const stat = procStat(pid);
    return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PIDs of the living (non-zombie) members of a process group (Linux; elsewhere [pgid] while the group exists). */
export function groupMembers(pgid: number): number[] {
  if (!hasProc) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(Number(entry));
  }
  return members;
}

/** True while any living process of this process group exists. */
export function isGroupAlive(pgid: number): boolean {
  return groupMembers(pgid).length > 0;
}

/** Options of stopPid. */
export interface StopOptions {
  /** First signal to the main process (postgres wants SIGINT for a fast shutdown). */
  signal?: NodeJS.Signals;
  /** Send the first signal to the whole process group, as Ctrl-C in a terminal does (a profiler and its service both want it). */
  group?: boolean;
  graceMs?: number;
}

/**
 * Stops a process and its group by PID.
 * signal → main PID ─(grace)→ SIGKILL group ─→ wait until the PID and the group are gone.
 */
export async function stopPid(pid: number, opts: StopOptions = {}): Promise<void> {
  const graceMs = opts.graceMs ?? 10_000;
  if (opts.group) signalGroup(pid, opts.signal ?? 'SIGTERM');
  else {
    try {
      process.kill(pid, opts.signal ?? 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while ((isAlive(pid) || isGroupAlive(pid)) && Date.now() < deadline) await sleep(25);
  if (isAlive(pid) || isGroupAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    const killDeadline = Date.now() + 5_000;
    while ((isAlive(pid) || isGroupAlive(pid)) && Date.now() < killDeadline) await sleep(25);
  }
  live.delete(pid);
}

/** Stops a spawned service: its signal, a grace period, SIGKILL of the group, then waits for the exit event. */
export async function stopService(proc: ServiceProcess, opts: StopOptions = {}): Promise<void> {
  await stopPid(proc.pid, opts);
  await Promise.race([proc.exited, sleep(2_000)]);
}

/** The command line of a PID (Linux /proc), or null when unknown. */
export function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return null;
  }
}

/** A lab service process that can be stopped and started again on the same port and data. */
export interface ManagedService {
  readonly pid: number;
  /** Stops the process (the data stays, so start() brings it back). */
  stop(): Promise<void>;
  /** Starts it again and waits until it is ready; a no-op while it runs. */
  start(): Promise<void>;
  /** Stops it and removes the folder it owns. */
  destroy(): Promise<void>;
}

/** Launches a service (spawn, then wait until ready) with the stop/start/destroy lifecycle; a failed first launch cleans up. */
export async function manageService(opts: {
  spawn: () => ServiceProcess;
  ready: (proc: ServiceProcess) => Promise<void>;
  ownedDir: string | null;
  stop?: StopOptions;
}): Promise<ManagedService> {
  let proc: ServiceProcess | null = null;
  const launch = async (): Promise<void> => {
    proc = opts.spawn();
    await opts.ready(proc);
  };
  const stop = async (): Promise<void> => {
    if (proc && !proc.hasExited) await stopService(proc, opts.stop ?? { signal: 'SIGTERM', graceMs: 10_000 });
  };
  const destroy = async (): Promise<void> => {
    await stop();
    if (opts.ownedDir) removeDir(opts.ownedDir);
  };
  try {
    await launch();
  } catch (err) {
    await destroy().catch(() => undefined);
    throw err;
  }
  return {
    get pid() {
      return (proc as ServiceProcess | null)?.pid ?? 0;
    },
    stop,
    start: async () => {
      if (proc && !proc.hasExited) return;
      await launch();
    },
    destroy,
  };
}
