// The open-file limit (RLIMIT_NOFILE): PgBouncer with max_client_conn 10,500 needs more descriptors than most
// defaults allow. The lab raises its own limit (children inherit it) where permitted, and says so when it cannot.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Soft and hard limits; null when unknown. */
export interface FileLimit {
  soft: number | null;
  hard: number | null;
}

/** What raiseOpenFileLimit did. */
export interface RaiseResult {
  before: FileLimit;
  after: FileLimit;
  /** True when the soft limit is now at least the wanted value. */
  ok: boolean;
  /** One line for the user. */
  message: string;
}

/** Parses the "Max open files" line of /proc/<pid>/limits (pure). */
export function parseProcLimits(text: string): FileLimit {
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  if (!line) return { soft: null, hard: null };
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/);
  const num = (v: string | undefined): number | null => (v === 'unlimited' ? Number.MAX_SAFE_INTEGER : v ? Number(v) : null);
  return { soft: num(soft), hard: num(hard) };
}

/** The current process's open-file limit. */
export function openFileLimit(pid = process.pid): FileLimit {
  try {
    return parseProcLimits(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  } catch {
    try {
      const soft = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
      const hard = Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());
      return { soft: Number.isFinite(soft) ? soft : null, hard: Number.isFinite(hard) ? hard : null };
    } catch {
      return { soft: null, hard: null };
    }
  }
}

/** Open files PgBouncer's max_client_conn (10,500) needs, plus its server connections and headroom. */
export const NEEDED_OPEN_FILES = 10_752;

/**
 * Raises this process's RLIMIT_NOFILE towards `wanted` (default 65536) with prlimit, so the lab's children inherit
 * it. Root may raise the hard limit too; others only up to it. `ok` means at least `needed` (default 10752).
 */
export function raiseOpenFileLimit(wanted = 65_536, needed = NEEDED_OPEN_FILES): RaiseResult {
  const before = openFileLimit();
  if (before.soft !== null && before.soft >= wanted) {
    return { before, after: before, ok: true, message: `open-file limit ${before.soft} (enough)` };
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hard = isRoot ? Math.max(wanted, before.hard ?? wanted) : (before.hard ?? wanted);
  const soft = Math.min(wanted, hard);
  let error = '';
  const attempts: Array<[number, number]> = [[soft, hard]];
  // Without CAP_SYS_RESOURCE even root cannot raise the hard limit: then settle for soft = hard.
  if (before.hard !== null && hard > before.hard) attempts.push([Math.min(wanted, before.hard), before.hard]);
  for (const [s, h] of attempts) {
    try {
      execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${s}:${h}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      error = '';
      break;
    } catch (err) {
      error = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    }
  }
  const after = openFileLimit();
  const ok = after.soft !== null && after.soft >= needed;
  const raised = after.soft !== before.soft;
  const message = !ok
    ? `open-file limit is ${after.soft ?? 'unknown'}, and it cannot be raised (${error || `hard limit ${after.hard ?? '?'}`}): ` +
      `10,000 PgBouncer clients need ${needed}; raise it with \`ulimit -n ${needed}\` (as root) before \`perfgate lab up\``
    : raised
      ? `open-file limit raised from ${before.soft ?? '?'} to ${after.soft}`
      : `open-file limit ${after.soft} (enough for 10,000 PgBouncer clients; could not raise it to ${wanted}: ${error || 'hard limit'})`;
  return { before, after, ok, message };
}
