// Runs the real perfgate binary in a child process and collects what it printed.

import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The perfgate binary of this checkout. */
export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');

/** What a finished command printed, and its exit code. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `perfgate <args>` in `cwd`; kills it (SIGKILL) and rejects when it outlives `timeoutMs`. */
export function runCli(args: string[], opts: { cwd: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`perfgate ${args.join(' ')} did not exit within ${opts.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
