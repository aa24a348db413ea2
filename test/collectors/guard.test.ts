import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDir } from '../../src/results/read.ts';
import { main } from '../../src/cli/main.ts';
import { insideFreshNetns } from '../support/netns.ts';

// Collector URLs pass the same host guard as targets. Every test runs in a fresh network namespace with loopback
// only, so a guard that fails open meets ENETUNREACH and sends nothing anywhere.
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');

const ENV_URLS = ['DATABASE_URL', 'REDIS_URL', 'METRICS_URL', 'PGBOUNCER_URL'];

/** Runs the real binary; a process that hangs is killed, so a failure never stalls the suite. */
function perfgate(args: string[], cwd: string, env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !ENV_URLS.includes(k)));
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...clean, ...env }, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  return { status: r.status, stderr: r.stderr };
}

/** Runs the CLI in this process (faster than a binary per case) with `env` as the collector environment. */
async function inProcess(args: string[], env: Record<string, string>): Promise<{ status: number; stderr: string }> {
  const saved = Object.fromEntries(ENV_URLS.map((k) => [k, process.env[k]]));
  const write = process.stderr.write;
  let stderr = '';
  for (const k of ENV_URLS) delete process.env[k];
  Object.assign(process.env, env);
  process.stderr.write = ((c: string) => ((stderr += c), true)) as typeof process.stderr.write;
  try {
    return { status: await main(['node', 'perfgate', ...args]), stderr };
  } finally {
    process.stderr.write = write;
    process.exitCode = undefined;
    for (const k of ENV_URLS) delete process.env[k];
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  }
}

if (insideFreshNetns(import.meta.url)) {
  const doors: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['--postgres with ?host=', ['--postgres', 'postgres://u:pw1@127.0.0.1:5432/db?host=10.0.0.1'], {}, /collectors\.postgres\.url.*10\.0\.0\.1/],
    ['--pgbouncer with no host but ?host=', ['--pgbouncer', 'postgres:///pgbouncer?host=10.0.0.1&user=u&password=pw1'], {}, /collectors\.pgbouncer\.url.*10\.0\.0\.1/],
    ['--redis elsewhere', ['--redis', 'redis://:pw1@10.0.0.1:6379'], {}, /collectors\.redis\.url.*10\.0\.0\.1/],
    ['--prometheus elsewhere', ['--prometheus', 'http://10.0.0.1:9090/metrics'], {}, /collectors\.prometheus\.url.*10\.0\.0\.1/],
    ['DATABASE_URL', [], { DATABASE_URL: 'postgres://u:pw1@localhost/db?host=10.0.0.1' }, /collectors\.postgres\.url \(from DATABASE_URL\).*10\.0\.0\.1/],
    ['PGBOUNCER_URL', [], { PGBOUNCER_URL: 'postgres://u:pw1@10.0.0.1:6432/pgbouncer' }, /from PGBOUNCER_URL.*10\.0\.0\.1/],
    ['REDIS_URL', [], { REDIS_URL: 'redis:///0?host=10.0.0.1&password=pw1' }, /from REDIS_URL.*10\.0\.0\.1/],
    ['METRICS_URL', [], { METRICS_URL: 'http://[::ffff:a00:1]:9090/metrics' }, /from METRICS_URL.*::ffff:a00:1/],
  ];

  test('perfgate collect refuses every collector URL and env fallback that leads off loopback, before any run directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfgate-cguard-'));
    try {
      for (const [name, args, env, why] of doors) {
        const out = join(dir, 'out');
        const r = await inProcess(['collect', '--duration', '1s', '--out', out, ...args], env);
        assert.equal(r.status, 104, `${name}: exit ${r.status}\n${r.stderr}`);
        assert.match(r.stderr, why, name);
        assert.ok(!r.stderr.includes('pw1'), `${name}: the password stays out of the error: ${r.stderr}`);
        assert.equal(existsSync(out), false, `${name}: no run directory`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('perfgate run refuses a collector URL off loopback (options or environment) before any run directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfgate-rguard-'));
    try {
      const cases: Array<[Record<string, unknown>, Record<string, string>, RegExp]> = [
        [{ prometheus: { url: 'http://10.0.0.1:9090/metrics' } }, {}, /collectors\.prometheus\.url.*10\.0\.0\.1/],
        [{ redis: {} }, { REDIS_URL: 'redis://:pw1@10.0.0.1:6379' }, /collectors\.redis\.url \(from REDIS_URL\)/],
        [{ postgres: {} }, { DATABASE_URL: 'postgres://u:pw1@127.0.0.1/db?host=10.0.0.1' }, /from DATABASE_URL.*10\.0\.0\.1/],
      ];
      for (const [i, [collectors, env, why]] of cases.entries()) {
        const file = join(dir, `s${i}.json`);
        writeFileSync(file, JSON.stringify({
          name: 'collector-door', target: { baseUrl: 'http://127.0.0.1:1' }, collectors,
          load: { executor: 'constant-vus', vus: 1, duration: '1s' },
          journeys: [{ name: 'j', steps: [{ name: 'root', path: '/' }] }],
        }));
        const out = join(dir, `run-${i}`);
        const r = perfgate(['run', file, '--out', out, '--quiet'], dir, env);
        assert.equal(r.status, 104, `${JSON.stringify(collectors)}: exit ${r.status}\n${r.stderr}`);
        assert.match(r.stderr, why);
        assert.ok(!r.stderr.includes('pw1'), r.stderr);
        assert.equal(existsSync(out), false, 'no run directory');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--allow-host lets a collector reach a named host, as it does a target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfgate-callow-'));
    try {
      const out = join(dir, 'out');
      // Allowed, so the guard passes; the namespace has no route there, so every reading is a gap.
      const r = perfgate(['collect', '--duration', '1s', '--interval', '250ms', '--out', out, '--prometheus', 'http://10.0.0.1:9090/metrics', '--allow-host', '10.0.0.1'], dir);
      assert.equal(r.status, 0, r.stderr);
      const data = await readRunDir(out);
      const prom = data.samples.filter((s) => s.source === 'prometheus');
      assert.ok(prom.length > 0 && prom.every((s) => s.value === null), 'readings are gaps: nothing can be reached from the namespace');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
