// The command that starts a service under a profiler: `clinic <tool> --dest <dir> -- <command>` (with NO_INSIGHT=1,
// or Clinic asks about usage statistics on stdin and, without a TTY, exits at once doing nothing), or the command
// with Node's own --cpu-prof / --heap-prof. Pure: the spawn is the caller's.

import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ServiceWrap } from '../lab/target-process.ts';
import { NODE_PROFILER_FLAGS, type ClinicTool, type ProfileMethod } from './tools.ts';

/** Clinic.js's command-line entry point, resolved from this module, or undefined when it is not installed (an optional peer). */
export function clinicBin(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('clinic/bin.js');
  } catch {
    return undefined;
  }
}

/** How long a profiled service gets, after SIGINT, to exit and for its profiler to write its data and HTML. */
export const PROFILE_STOP_DEADLINE_MS = 180_000;

/** Which profiler, and how it collects. */
export interface ProfilerChoice {
  tool: ClinicTool;
  method: ProfileMethod;
}

/** A command line ready to spawn, with the environment it adds. */
export interface ProfiledCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** True when a command names a Node binary (`node`, `nodejs`, or this process's own). */
function isNode(command: string): boolean {
  return command === process.execPath || /^node(js)?(\.exe)?$/.test(basename(command));
}

/** The command line that runs `command` under the chosen profiler, writing into dataDir. */
export function profiledCommand(choice: ProfilerChoice, dataDir: string, command: readonly string[]): ProfiledCommand {
  const [first, ...rest] = command;
  if (first === undefined) throw new Error('profiledCommand: empty command');
  if (choice.method === 'clinic') {
    const bin = clinicBin();
    if (!bin) throw new Error('Clinic.js is not installed (npm install --save-dev clinic@13)');
    return { command: process.execPath, args: [bin, choice.tool, '--dest', dataDir, '--open=false', '--', ...command], env: { NO_INSIGHT: '1' } };
  }
  const flags = NODE_PROFILER_FLAGS[choice.tool];
  if (!flags) throw new Error(`profiledCommand: Node has no own profiler for ${choice.tool}`);
  if (isNode(first)) return { command: first, args: [flags.flag, `${flags.dirFlag}=${dataDir}`, ...rest], env: {} };
  // Not node itself (npm start, a shell script): the flags reach the node it starts through NODE_OPTIONS.
  const existing = process.env.NODE_OPTIONS ? `${process.env.NODE_OPTIONS} ` : '';
  return { command: first, args: rest, env: { NODE_OPTIONS: `${existing}${flags.flag} ${flags.dirFlag}=${JSON.stringify(dataDir)}` } };
}

/** A folder the profiler writes into until the run directory takes its files (profile/); remove() deletes it. */
export async function stageDirIn(parent: string = tmpdir()): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(parent, 'perfgate-profile-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * How the lab starts its target under the profiler, and stops it: SIGINT to the process group, as Ctrl-C would
 * (Clinic flame's 0x and heapprofiler rely on the service getting it too), then time for the profiler to write.
 */
export function labTargetWrap(choice: ProfilerChoice, dataDir: string): ServiceWrap {
  return { wrap: (command) => profiledCommand(choice, dataDir, command), stop: { signal: 'SIGINT', group: true, graceMs: PROFILE_STOP_DEADLINE_MS } };
}
