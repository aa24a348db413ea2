import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type RedisHandle } from '../support/services.ts';
import { main } from '../../src/cli/main.ts';
import { collectorsFromFlags } from '../../src/cli/commands/collect.ts';
import { readRunDir } from '../../src/results/read.ts';
import { EXIT } from '../../src/errors.ts';
import { runCli } from '../support/cli.ts';

let dir: string;
let redis: RedisHandle;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perfgate-collect-test-'));
  chmodSync(dir, 0o711);
  redis = await startRedis({ dir: join(dir, 'redis'), logFile: join(dir, 'redis.log'), appendonly: false });
});

after(async () => {
  await redis?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A loopback port with nothing listening. */
async function refusedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function quietly<T>(fn: () => Promise<T>): Promise<{ value: T; stdout: string; stderr: string }> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  let stdout = '';
  let stderr = '';
  // stdout also carries the test runner's own protocol: record ours, and pass everything else through.
  process.stdout.write = ((c: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof c === 'string' && c.startsWith('/')) {
      stdout += c;
      return true;
    }
    return (out as (...a: unknown[]) => boolean).call(process.stdout, c, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => ((stderr += c), true)) as typeof process.stderr.write;
  try {
    return { value: await fn(), stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
  }
}

test('flags pick collectors; with none, every collector whose env URL is set runs, plus host', () => {
  assert.deepEqual(collectorsFromFlags({ interval: '1s', redis: 'redis://127.0.0.1:1', postgres: true }, {}), {
    interval: '1s',
    redis: { url: 'redis://127.0.0.1:1' },
    postgres: {},
  });
  assert.deepEqual(collectorsFromFlags({ interval: '1s' }, { REDIS_URL: 'redis://x' }), { interval: '1s', redis: {}, host: {} });
});

test('perfgate collect writes a complete run directory: run.json, samples with gaps marked, summary.json', async () => {
  const out = join(dir, 'run1');
  const port = await refusedPort();
  const { value: code, stdout } = await quietly(() =>
    main(['node', 'perfgate', 'collect', '--duration', '1.6s', '--interval', '400ms', '--out', out, '--redis', redis.url, '--host', '--prometheus', `http://user:pw-secret@127.0.0.1:${port}/metrics`]),
  );
  assert.equal(code, EXIT.ok);
  assert.equal(stdout, `${out}\n`);
  const data = await readRunDir(out);
  assert.equal(data.run.scenario, 'collect');
  assert.equal(data.run.status, 'completed');
  assert.ok((data.run.durationMs as number) >= 1600);
  const sources = new Set(data.samples.map((s) => s.source));
  for (const s of ['redis', 'host', 'generator', 'prometheus']) assert.ok(sources.has(s), s);
  assert.ok(data.samples.filter((s) => s.metric === 'redis_connected_clients' && s.value !== null).length >= 2);
  const gaps = data.samples.filter((s) => s.source === 'prometheus');
  assert.ok(gaps.length > 0 && gaps.every((g) => g.value === null && /ECONNREFUSED|refused/i.test(g.error ?? '')));
  const raw = readFileSync(join(out, 'run.json'), 'utf8') + readFileSync(join(out, 'samples.ndjson'), 'utf8');
  assert.equal(raw.includes('pw-secret'), false, 'the password is redacted everywhere');
  assert.ok(existsSync(join(out, 'summary.json')));
  for (let i = 1; i < data.samples.length; i++) assert.ok(data.samples[i].tMs >= data.samples[i - 1].tMs);
});

test('perfgate collect with a collector and no URL exits 104 naming the field', async () => {
  const { value: code, stderr } = await quietly(() => main(['node', 'perfgate', 'collect', '--duration', '1s', '--out', join(dir, 'run2'), '--postgres']));
  if (process.env.DATABASE_URL) return; // the environment provides it
  assert.equal(code, EXIT.invalidConfig);
  assert.match(stderr, /collectors\.postgres\.url/);
});

test('perfgate collect takes a bare number of seconds for --duration and --interval, and refuses 0 naming the flag', async () => {
  const out = join(dir, 'bare');
  const ok = await runCli(['collect', '--duration', '1', '--interval', '0.5', '--host', '--out', out], { cwd: dir });
  assert.equal(ok.code, EXIT.ok, ok.stderr);
  const data = await readRunDir(out);
  assert.ok((data.run.durationMs as number) >= 1000);
  const hostCpu = data.samples.filter((s) => s.metric === 'host_cpu_utilization');
  assert.ok(hostCpu.length >= 2, `${hostCpu.length} host samples in 1 s at 0.5 s`);
  for (const [flag, args] of [['--duration', ['--duration', '0']], ['--interval', ['--duration', '1', '--interval', '0']]] as const) {
    const bad = await runCli(['collect', ...args, '--host', '--out', join(dir, 'bare-bad')], { cwd: dir });
    assert.equal(bad.code, EXIT.invalidConfig, bad.stderr);
    assert.match(bad.stderr, new RegExp(`${flag}: must be longer than 0`));
  }
});

test('SIGINT ends perfgate collect early with exit 105 and an interrupted but readable run', async () => {
  const out = join(dir, 'run3');
  const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/perfgate.js'), 'collect', '--duration', '2m', '--interval', '200ms', '--host', '--out', out], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(existsSync(join(out, 'samples.ndjson')) && readFileSync(join(out, 'samples.ndjson'), 'utf8').split('\n').length > 6)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, EXIT.interrupted, stderr);
    const data = await readRunDir(out);
    assert.equal(data.run.status, 'interrupted');
    assert.ok(data.samples.some((s) => s.metric === 'host_cpu_utilization'));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
