import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupMembers, isAlive, isGroupAlive, stopPid } from '../../src/lab/process.ts';
import { isPortInUse } from '../../src/lab/free-port.ts';
import { readLabInfo, type LabInfo } from '../../src/lab/lab-info.ts';
import { labFaults } from '../../src/lab/control.ts';

const BIN = fileURLToPath(new URL('../../bin/perfgate.js', import.meta.url));

/** Runs the real CLI in a folder and collects its exit code and output (bounded by timeoutMs). */
function perfgate(args: string[], cwd: string, timeoutMs = 90_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`perfgate ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('perfgate lab up, status and down in the background through the real CLI', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'perfgate-cli-'));
  let info: LabInfo | undefined;
  let workers: number[] = [];

  after(async () => {
    // On failure, make sure nothing survives: down, then any recorded PID.
    await perfgate(['lab', 'down'], cwd).catch(() => undefined);
    for (const svc of Object.values(info?.services ?? {})) if (isAlive(svc.pid)) await stopPid(svc.pid, { graceMs: 2_000 });
    if (info && isAlive(info.pid)) await stopPid(info.pid, { graceMs: 2_000 });
    rmSync(cwd, { recursive: true, force: true });
  });

  test('lab up starts in the background, writes lab.json (0600) and prints no password', async () => {
    const r = await perfgate(['lab', 'up', '--pgbouncer', '--prometheus', '--seed', 'small', '--json'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as LabInfo;
    const labJson = join(cwd, '.perfgate', 'lab.json');
    info = JSON.parse(readFileSync(labJson, 'utf8')) as LabInfo;
    assert.equal(statSync(labJson).mode & 0o777, 0o600);
    const password = new URL(info.databaseUrl).password;
    assert.ok(password.length >= 16);
    assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password), 'the password is never printed');
    assert.ok(info.controlToken && !r.stdout.includes(info.controlToken), 'the control token is never printed');
    assert.match(printed.databaseUrl, /^postgres:\/\/perfgate:\*\*\*@127\.0\.0\.1:\d+\/perfgate$/);
    assert.match(r.stderr, /postgres ready on 127\.0\.0\.1:\d+ \(\d+\.\d s\)/);
    assert.deepEqual(Object.keys(info.services).sort(), ['pgbouncer', 'postgres', 'prometheus', 'redis', 'target', 'upstream']);
    // Prometheus scrapes the target with the lab's metrics token, which it reads from a file and never prints
    assert.ok(info.prometheus && info.metricsToken && !r.stdout.includes(info.metricsToken));
    assert.equal(readFileSync(info.prometheus.rulesFile, 'utf8').includes('PerfgateCacheHit'), true);
    const promUrl = info.prometheus.url;
    const targetUp = async () => ((await (await fetch(`${promUrl}/api/v1/query?query=up{job="target"}`)).json()) as { data: { result: Array<{ value: [number, string] }> } }).data.result[0]?.value[1] === '1';
    let up = false;
    for (let i = 0; i < 100 && !(up = await targetUp()); i++) await new Promise((res) => setTimeout(res, 100));
    assert.ok(up, 'the target is scraped');
    workers = groupMembers(info.services.target!.pid);
    const health = await fetch(`${info.targetUrl}/health/ready`);
    assert.equal(health.status, 200);
    assert.ok(existsSync(info.tokensFile));
    assert.ok(isAlive(info.pid), 'the supervisor runs after `up` returned');
    for (const svc of Object.values(info.services)) {
      assert.ok(isAlive(svc.pid), `pid ${svc.pid} runs`);
      assert.equal(await isPortInUse(svc.port), true);
    }
  });

  test('lab status reports the running lab, redacted', async () => {
    const r = await perfgate(['lab', 'status', '--json'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout) as { running: boolean; services: Record<string, { alive: boolean }>; databaseUrl: string };
    assert.equal(status.running, true);
    assert.ok(Object.values(status.services).every((s) => s.alive));
    assert.match(status.databaseUrl, /:\*\*\*@/);
  });

  test('faults reach the background lab through its control endpoint, and lab.json follows the new PIDs', async () => {
    assert.ok(info?.controlUrl && info.controlToken);
    const denied = await fetch(`${info.controlUrl}/faults/redis-stop`, { method: 'POST', headers: { authorization: 'Bearer wrong' } });
    assert.equal(denied.status, 401);
    assert.ok(isAlive(info.services.redis!.pid), 'an unauthorised request changes nothing');
    const faults = labFaults(info);
    const oldRedis = info.services.redis!.pid;
    await faults.redisStop();
    assert.equal(await isPortInUse(info.services.redis!.port), false);
    await faults.redisStart();
    const updated = readLabInfo(cwd)!;
    assert.notEqual(updated.services.redis!.pid, oldRedis);
    assert.ok(isAlive(updated.services.redis!.pid));
    assert.equal(typeof (await faults.upstream({ latencyMs: 0 })), 'object');
    info = updated;
  });

  test('a second lab up says a lab is running and exits non-zero', async () => {
    const r = await perfgate(['lab', 'up', '--no-target'], cwd);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /a lab is already running \(pid \d+/);
  });

  test('lab down stops every process, frees every port and removes the folder and lab.json', async () => {
    assert.ok(info);
    const r = await perfgate(['lab', 'down'], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /lab stopped/);
    assert.equal(isAlive(info.pid), false, 'the supervisor is gone');
    for (const [name, svc] of Object.entries(info.services)) {
      assert.equal(isAlive(svc.pid), false, `${name} (pid ${svc.pid}) is gone`);
      assert.equal(isGroupAlive(svc.pid), false, `${name}'s process group is gone`);
      assert.equal(await isPortInUse(svc.port), false, `${name}'s port ${svc.port} is free`);
    }
    for (const pid of workers) assert.equal(isAlive(pid), false, `target process ${pid} is gone`);
    assert.equal(existsSync(info.stateDir), false);
    assert.equal(existsSync(join(cwd, '.perfgate', 'lab.json')), false);
    const status = await perfgate(['lab', 'status'], cwd);
    assert.equal(status.code, 1);
    assert.match(status.stdout, /no lab is running/);
  });
});
