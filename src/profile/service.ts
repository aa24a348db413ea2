// A user's own Node service started under a profiler (`perfgate clinic`): spawned in its own process group with its
// output in a log, ready once its URL answers at all, and stopped with SIGINT to the group so the profiler writes.

import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnService, stopService, waitUntilReady, type ServiceProcess } from '../lab/process.ts';
import { profiledCommand, PROFILE_STOP_DEADLINE_MS, stageDirIn, type ProfilerChoice } from './launch.ts';
import type { ProfiledService } from './run-hooks.ts';

/** How long a profiled service gets to answer its URL. */
export const SERVICE_READY_MS = 120_000;

/** A started service: the run's ProfiledService, its log, and cleanup (stops it if still running, removes the stage). */
export interface StartedService {
  service: ProfiledService;
  proc: ServiceProcess;
  logFile: string;
  /** Copies the service's log into the run's profile/ (service.log). */
  keepLog(runDir: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** True once GET url answers with any HTTP status. */
async function answers(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1_000), redirect: 'manual' });
  await res.arrayBuffer().catch(() => undefined);
  return true;
}

/**
 * Starts `command` under the profiler and waits until `url` answers.
 * stage dir -> command under the profiler (own process group, log) -> poll url (bounded; fails early if it exits)
 */
export async function startProfiledService(opts: { choice: ProfilerChoice; command: string[]; url: string; cwd: string; env: NodeJS.ProcessEnv; onLog?: (line: string) => void }): Promise<StartedService> {
  const stage = await stageDirIn();
  const logs = await stageDirIn();
  const logFile = join(logs.dir, 'service.log');
  const cmd = profiledCommand(opts.choice, stage.dir, opts.command);
  const proc = spawnService({ name: 'service', command: cmd.command, args: cmd.args, env: { ...opts.env, ...cmd.env }, logFile, cwd: opts.cwd });
  const stop = (): Promise<void> => (proc.hasExited ? Promise.resolve() : stopService(proc, { signal: 'SIGINT', group: true, graceMs: PROFILE_STOP_DEADLINE_MS }));
  const cleanup = async (): Promise<void> => {
    await stop();
    await stage.remove();
    await logs.remove();
  };
  try {
    const t0 = Date.now();
    await waitUntilReady(() => answers(opts.url), { name: 'service', logFile, proc, deadlineMs: SERVICE_READY_MS, intervalMs: 200 });
    opts.onLog?.(`service ready at ${opts.url} under ${opts.choice.method === 'clinic' ? `Clinic ${opts.choice.tool}` : `Node's profiler (${opts.choice.tool})`} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    service: { choice: opts.choice, stageDir: stage.dir, stop },
    proc,
    logFile,
    keepLog: (runDir) => cp(logFile, join(runDir, 'profile', 'service.log')).catch(() => undefined),
    cleanup,
  };
}
