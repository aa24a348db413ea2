import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupMembers, isAlive } from '../../src/lab/process.ts';
import { startServices } from '../support/services.ts';
import { freePort, isPortInUse } from '../../src/lab/free-port.ts';
import type { LabInfo } from '../../src/lab/lab-info.ts';
import { main } from '../../src/cli/main.ts';

const BIN = fileURLToPath(new URL('../../bin/perfgate.js', import.meta.url));

/** Runs the CLI in this process (cheaper than a child) with extra environment; captures output and the exit code. */
async function inProcess(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = { cwd: process.cwd(), env: { ...process.env }, out: process.stdout.write, err: process.stderr.write };
  let stdout = '';
  let stderr = '';
  // The CLI writes strings; the test runner's own events (binary) pass through, so they are neither lost nor mixed in.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
    typeof chunk === 'string' ? ((stdout += chunk), true) : (saved.out as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
    typeof chunk === 'string' ? ((stderr += chunk), true) : (saved.err as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest)) as typeof process.stderr.write;
  Object.assign(process.env, env);
  process.chdir(cwd);
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'perfgate', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.exitCode = undefined;
    process.chdir(saved.cwd);
    for (const key of Object.keys(env)) {
      if (saved.env[key] === undefined) delete process.env[key];
      else process.env[key] = saved.env[key];
    }
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
  }
}

describe('perfgate doctor, target and lab --foreground through the real CLI', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'perfgate-cli-'));
  const emptyBinDir = mkdtempSync(join(tmpdir(), 'perfgate-nobin-'));

  after(() => {
    rmSync(cwd, { recursive: true, force: true });
    rmSync(emptyBinDir, { recursive: true, force: true });
  });

  test('doctor finds every binary with its version and exits 0', async () => {
    const r = await inProcess(['doctor'], cwd);
    assert.equal(r.code, 0, r.stderr);
    for (const name of ['postgres', 'initdb', 'redis-server', 'pgbouncer', 'node']) assert.match(r.stdout, new RegExp(`^OK +${name} `, 'm'));
    assert.match(r.stdout, /PostgreSQL\) \d+/);
    assert.match(r.stdout, /open files +soft \d+/);
  });

  test('doctor names each missing binary with its apt and brew command, exits 1, and prints no stack', async () => {
    const r = await inProcess(['doctor'], cwd, { PERFGATE_BIN_DIRS: emptyBinDir });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^MISSING postgres /m);
    assert.match(r.stdout, /apt-get install redis-server/);
    assert.match(r.stdout, /brew install pgbouncer/);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /);
  });

  test('lab up with a missing binary is a clear error, not a stack trace, and starts nothing', async () => {
    const r = await inProcess(['lab', 'up', '--no-target'], cwd, { PERFGATE_BIN_DIRS: emptyBinDir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /postgres not found/);
    assert.match(r.stderr, /apt-get install postgresql/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(existsSync(join(cwd, '.perfgate', 'lab.json')), false);
  });

  test('target without its environment names every missing variable', async () => {
    const env = { DATABASE_URL: '', REDIS_URL: '', UPSTREAM_URL: '' };
    const r = await inProcess(['target'], cwd, env);
    assert.equal(r.code, 104);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'UPSTREAM_URL']) assert.match(r.stderr, new RegExp(name));
  });

  test('lab up --foreground stays attached, and SIGINT tears everything down', async () => {
    const fgCwd = mkdtempSync(join(tmpdir(), 'perfgate-fg-'));
    const child = spawn(process.execPath, [BIN, 'lab', 'up', '--foreground', '--no-target', '--json'], { cwd: fgCwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      const deadline = Date.now() + 40_000;
      while (!existsSync(join(fgCwd, '.perfgate', 'lab.json')) && Date.now() < deadline) await sleep(100);
      const fg = JSON.parse(readFileSync(join(fgCwd, '.perfgate', 'lab.json'), 'utf8')) as LabInfo;
      assert.equal(fg.pid, child.pid, 'the foreground process owns the lab');
      await sleep(200);
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      assert.match(stderr, /lab stopped/);
      assert.match(stdout, /"databaseUrl": "postgres:\/\/perfgate:\*\*\*@/);
      for (const svc of Object.values(fg.services)) {
        assert.equal(isAlive(svc.pid), false, `pid ${svc.pid} is gone`);
        assert.equal(await isPortInUse(svc.port), false, `port ${svc.port} is free`);
      }
      assert.equal(existsSync(fg.stateDir), false);
      assert.equal(existsSync(join(fgCwd, '.perfgate', 'lab.json')), false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(fgCwd, { recursive: true, force: true });
    }
  });

  test('perfgate target serves against DATABASE_URL and REDIS_URL and stops on SIGTERM', async () => {
    const services = await startServices();
    const port = await freePort();
    const env = { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl, UPSTREAM_URL: 'http://127.0.0.1:9', PORT: String(port), TARGET_WORKERS: '1', LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, [BIN, 'target'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      let ready = 0;
      const deadline = Date.now() + 40_000;
      while (ready !== 200 && Date.now() < deadline && child.exitCode === null) {
        ready = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.status, () => 0);
        if (ready !== 200) await sleep(200);
      }
      assert.equal(ready, 200, stderr);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      assert.deepEqual(groupMembers(child.pid!), [], 'no target process is left');
      assert.equal(await isPortInUse(port), false);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      await services.stop();
    }
  });
});
