// Integration-test harness for the target: PG + Redis (+ PgBouncer) from test/support, migrate + seed small,
// the upstream simulator and the target as child processes on port 0, and small HTTP helpers.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startServices, type Services, type StartServicesOptions } from '../support/services.ts';
import { generatePemKeyPair, importKeys, writeKeyFiles, type SigningKeys } from '../../src/target/auth/keys.ts';
import { signAccessToken } from '../../src/target/auth/jwt.ts';
import type { TierName } from '../../src/target/auth/clients.ts';
import type { Scope } from '../../src/target/auth/scopes.ts';
import { migrate } from '../../src/target/db/migrate.ts';
import { APP_ROLE } from '../../src/lab/postgres.ts';
import { seed } from '../../src/target/seed/load.ts';

/** The repository root (tests run from it). */
export const ROOT = join(import.meta.dirname, '..', '..');

/** A child process that printed {"event":"listening"}. */
export interface Child {
  proc: ChildProcess;
  pid: number;
  port: number;
  baseUrl: string;
  /** The listening event as printed. */
  event: Record<string, unknown>;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after a deadline; resolves with the exit code and how long it took. */
  stop(deadlineMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; tookMs: number }>;
}

/** Spawns `node --import tsx <script> [args]` and waits for its listening event. */
export async function spawnListening(script: string, args: string[], env: Record<string, string>, timeoutMs = 45_000): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    if (stderr.length > 2_000_000) stderr = stderr.slice(-1_000_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const event = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} did not print its listening event within ${timeoutMs} ms:\n${stderr.slice(-3000)}`));
    }, timeoutMs);
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.event === 'listening') {
          clearTimeout(timer);
          resolve(parsed);
        }
      } catch {
        // not ours
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before listening:\n${stderr.slice(-3000)}`));
    });
  });
  const port = event.port as number;
  return {
    proc,
    pid: proc.pid!,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    event,
    stderr: () => stderr,
    async stop(deadlineMs = 8000) {
      const start = Date.now();
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), deadlineMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, tookMs: Date.now() - start };
    },
  };
}

/** A complete stack for one test file. */
export interface Stack {
  services: Services;
  upstream: Child;
  /** The bearer token the upstream simulator's control POSTs need. */
  upstreamToken: string;
  target: Child;
  keys: SigningKeys;
  keyDir: string;
  /** Signs a token for a fresh subject (so each test gets its own rate-limit bucket); scopes: `reports:write` by default. */
  token(tier?: TierName, sub?: string, scopes?: readonly Scope[]): Promise<string>;
  /** Starts another target on the same services with extra env. */
  startTarget(env?: Record<string, string>): Promise<Child>;
  stop(): Promise<void>;
}

let subjects = 0;

/** Starts services, migrates, seeds `small`, starts the upstream simulator and a target (env overrides). */
export async function startStack(opts: { services?: StartServicesOptions; targetEnv?: Record<string, string>; viaPgBouncer?: boolean } = {}): Promise<Stack> {
  // pipeline: PG + Redis (+ PgBouncer) -> migrate -> seed small -> keys -> upstream -> target
  const services = await startServices(opts.services);
  const keyDir = mkdtempSync(join(tmpdir(), 'perfgate-target-keys-'));
  const children: Child[] = [];
  try {
    await migrate(services.databaseUrl, undefined, APP_ROLE);
    await seed(services.databaseUrl, 'small');
    const pem = await generatePemKeyPair();
    const files = await writeKeyFiles(keyDir, pem);
    const keys = importKeys(pem);
    const upstreamToken = randomBytes(24).toString('base64url');
    const upstream = await spawnListening('src/target/upstream/main.ts', [], { PORT: '0', UPSTREAM_CONTROL_TOKEN: upstreamToken });
    children.push(upstream);
    const baseEnv = {
      PORT: '0',
      // least privilege: the app role (the owner migrated and seeded)
      DATABASE_URL: opts.viaPgBouncer ? services.pgbouncerUrl! : services.postgres.appDatabaseUrl,
      REDIS_URL: services.redisUrl,
      UPSTREAM_URL: upstream.baseUrl,
      JWT_PRIVATE_KEY_FILE: files.privateFile,
      JWT_PUBLIC_KEY_FILE: files.publicFile,
      LOG_LEVEL: 'info',
    };
    const startTarget = async (env: Record<string, string> = {}): Promise<Child> => {
      const child = await spawnListening('src/target/main.ts', ['serve'], { ...baseEnv, ...opts.targetEnv, ...env });
      children.push(child);
      return child;
    };
    const target = await startTarget();
    return {
      services,
      upstream,
      upstreamToken,
      target,
      keys,
      keyDir,
      startTarget,
      token: (tier = 'standard', sub, scopes = ['reports:write']) =>
        signAccessToken(keys.privateKey, { sub: sub ?? `test-${process.pid}-${++subjects}`, clientId: 'demo-client', tier, scopes }, 900),
      async stop() {
        for (const c of children.reverse()) await c.stop().catch(() => undefined);
        await services.stop();
        rmSync(keyDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const c of children.reverse()) await c.stop().catch(() => undefined);
    await services.stop();
    rmSync(keyDir, { recursive: true, force: true });
    throw err;
  }
}

/** A response, read whole. */
export interface Res {
  status: number;
  headers: Headers;
  /** The parsed JSON body (any: tests read arbitrary shapes), or the text when not JSON. */
  body: any;
  text: string;
  ms: number;
}

/** Sends one request; JSON bodies are encoded and decoded. */
export async function http(baseUrl: string, path: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const start = performance.now();
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (e.g. /metrics)
  }
  return { status: res.status, headers: res.headers, body, text, ms: performance.now() - start };
}

/** Reads one sample value from Prometheus text (label set matched as a substring); 0 when absent. */
export function metricValue(text: string, name: string, labels = ''): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue;
    if (labels && !rest.includes(labels)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? total : 0;
}

/** Polls until check() returns a truthy value or the deadline passes (then throws with the label). */
export async function waitFor<T>(label: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${label}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
}
