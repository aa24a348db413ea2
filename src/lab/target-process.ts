// The reference target and the upstream simulator as child processes: `node --import tsx src/target/main.ts ...`.
// Paths are resolved from this module, never from the working directory.

import { existsSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { fileURLToPath } from 'node:url';
import { spawnService, serviceError, stopService, waitUntilReady, type ServiceProcess, type StopOptions } from './process.ts';
import { isPortInUse } from './free-port.ts';
import { PrerequisiteError } from '../errors.ts';

/** The repository root (where package.json and node_modules are). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The target's entry point. */
export const TARGET_MAIN = fileURLToPath(new URL('../target/main.ts', import.meta.url));
/** The upstream simulator's entry point. */
export const UPSTREAM_MAIN = fileURLToPath(new URL('../target/upstream/main.ts', import.meta.url));

/** node arguments that load a TypeScript entry point through tsx (resolved from this module). */
export function tsxArgs(entry: string): string[] {
  return ['--import', import.meta.resolve('tsx'), entry];
}

/** Throws a PrerequisiteError when an entry point is missing from this checkout. */
export function requireEntry(entry: string): void {
  if (!existsSync(entry)) throw new PrerequisiteError(`the reference target is missing from this checkout: ${entry} not found`);
}

/** Runs a one-shot target command (migrate, seed, gen-keys, mint-tokens) with its output in logFile. */
export async function runTargetCommand(args: string[], env: NodeJS.ProcessEnv, logFile: string, timeoutMs = 300_000): Promise<void> {
  requireEntry(TARGET_MAIN);
  const name = `target ${args[0] ?? ''}`.trim();
  const proc = spawnService({ name, command: process.execPath, args: [...tsxArgs(TARGET_MAIN), ...args], env, logFile, cwd: REPO_ROOT });
  const timer = setTimeout(() => void stopService(proc, { graceMs: 2_000 }), timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  if (code !== 0) throw serviceError(name, `failed (exit ${String(code)})`, logFile);
}

/** A long-running node service of the lab (target or upstream). */
export interface NodeServiceHandle {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** True when GET url answers 200 within a second; an https URL is verified against `ca` (PEM) when given. */
function answers200(url: string, ca?: string): Promise<boolean> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 1_000, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 1 s`)));
    req.on('error', reject);
  });
}

/** A service started inside another command (a profiler), and how to stop it so that command finishes its work. */
export interface ServiceWrap {
  /** The command line that runs `command args` inside the wrapper, and the environment it adds. */
  wrap(command: readonly string[]): { command: string; args: string[]; env: Record<string, string> };
  /** How to stop it (the profiler's signal, and time to write its data). */
  stop: StopOptions;
}

/** Starts one node service and waits until `ready(port)` says so. */
async function startNodeService(
  name: string,
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  logFile: string,
  ready: () => Promise<boolean>,
  deadlineMs: number,
  wrap?: ServiceWrap,
  scheme: 'http' | 'https' = 'http',
): Promise<NodeServiceHandle> {
  requireEntry(entry);
  const plain = [process.execPath, ...tsxArgs(entry), ...args];
  const cmd = wrap ? wrap.wrap(plain) : { command: plain[0]!, args: plain.slice(1), env: {} };
  const proc: ServiceProcess = spawnService({ name, command: cmd.command, args: cmd.args, env: { ...env, ...cmd.env }, logFile, cwd: REPO_ROOT });
  const stopOpts: StopOptions = wrap?.stop ?? { signal: 'SIGTERM', graceMs: 10_000 };
  const stop = (): Promise<void> => (proc.hasExited ? Promise.resolve() : stopService(proc, stopOpts));
  try {
    await waitUntilReady(ready, { name, logFile, proc, deadlineMs });
  } catch (err) {
    await stop();
    throw err;
  }
  return { name, url: `${scheme}://127.0.0.1:${port}`, port, pid: proc.pid, logFile, stop };
}

/** Starts the upstream simulator on a port; ready once it accepts connections. */
export function startUpstream(port: number, logFile: string, env: NodeJS.ProcessEnv = {}): Promise<NodeServiceHandle> {
  const fullEnv = { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' };
  return startNodeService('upstream', UPSTREAM_MAIN, [], fullEnv, port, logFile, () => isPortInUse(port), 30_000);
}

/**
 * libuv's thread pool for the lab's target, set on purpose: bcrypt (BCRYPT_CONCURRENCY, 2 by default), crypto and
 * PostgreSQL's SCRAM login all take its threads, so it is sized with room beyond bcrypt. A scenario's targetEnv wins.
 */
export const TARGET_THREADPOOL_SIZE = '8';

/**
 * Starts `target serve` with the given environment (inside `wrap`, a profiler, when given); ready once GET
 * /health/ready answers 200. With TARGET_TLS=1 in env it serves HTTPS, checked against `tlsCa` (PEM).
 */
export function startTargetServer(port: number, logFile: string, env: NodeJS.ProcessEnv, wrap?: ServiceWrap, tlsCa?: string): Promise<NodeServiceHandle> {
  const fullEnv = { ...process.env, UV_THREADPOOL_SIZE: TARGET_THREADPOOL_SIZE, ...env, PORT: String(port), HOST: '127.0.0.1' };
  const scheme = (fullEnv as NodeJS.ProcessEnv).TARGET_TLS === '1' ? 'https' : 'http';
  const readyUrl = `${scheme}://127.0.0.1:${port}/health/ready`;
  return startNodeService('target', TARGET_MAIN, ['serve'], fullEnv, port, logFile, () => answers200(readyUrl, tlsCa), wrap ? 120_000 : 60_000, wrap, scheme);
}
