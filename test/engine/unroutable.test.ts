// A closed-model run against an address with no route: every connect fails at once (ENETUNREACH), without waiting
// on I/O. The CLI runs inside a fresh network namespace (`unshare -n`), whose loopback is down, so nothing it sends
// can leave the namespace and 127.0.0.1 has no route.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDir } from '../../src/results/read.ts';
import type { RequestIntervalRecord } from '../../src/results/format.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');
/** The generator's V8 heap limit: a run that piled up work would die of it within seconds. */
const HEAP_LIMIT_MB = 128;
/** The stated bound on the generator's resident memory over the whole run. */
const MAX_RSS_MB = 250;
/** Bound on how long any one CLI run may take before the test gives up on it. */
const RUN_TIMEOUT_MS = 40_000;

const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;
const skip = canUnshare ? false : 'needs `unshare -n` (root, or unprivileged user namespaces)';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'perfgate-unroutable-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function scenarioFile(name: string, duration: string): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name, target: { baseUrl: 'http://127.0.0.1:1' },
    load: { executor: 'constant-vus', vus: 1, duration, gracefulStop: '1s' },
    journeys: [{ name: 'j', steps: [{ name: 'root', path: '/' }] }],
  }));
  return file;
}

interface CliRun {
  child: ChildProcess;
  /** Resolves with the exit code and stderr, and the highest resident memory seen (MB). */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; maxRssMb: number }>;
}

/** Runs the CLI in a new network namespace (unshare execs node, so the child's pid is node's), sampling its RSS. */
function cliUnshared(args: string[]): CliRun {
  const child = spawn('unshare', ['-n', process.execPath, `--max-old-space-size=${HEAP_LIMIT_MB}`, BIN, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let maxRssMb = 0;
  child.stderr!.on('data', (d) => (stderr += d));
  const sampler = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) maxRssMb = Math.max(maxRssMb, Number(m[1]) / 1024);
    } catch {
      // exited
    }
  }, 100);
  const killer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; maxRssMb: number }>((resolve) =>
    child.on('exit', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(killer);
      resolve({ code, signal, stderr, maxRssMb });
    }),
  );
  return { child, done };
}

function requests(intervals: Awaited<ReturnType<typeof readRunDir>>['intervals']): RequestIntervalRecord[] {
  return intervals.filter((r): r is RequestIntervalRecord => r.type === 'req');
}

function sum(rs: RequestIntervalRecord[], f: (r: RequestIntervalRecord) => number): number {
  return rs.reduce((a, r) => a + f(r), 0);
}

test('a closed-model run against an unroutable address ends on time, counts every request as unreachable, and stays within its memory bound', { skip }, async (t) => {
  const out = join(dir, 'timed');
  const { code, signal, stderr, maxRssMb } = await cliUnshared(['run', scenarioFile('timed', '2s'), '--out', out, '--no-report', '--quiet']).done;
  assert.equal(signal, null, `the run was killed (${signal}): ${stderr.slice(-500)}`);
  const data = await readRunDir(out);
  // The machine may be too busy for the generator's own loop-lag limit; that verdict is honest and not this test's subject.
  const saturated = code === 103 && /saturated/.test(data.run.statusReason ?? '');
  assert.ok(code === 0 || saturated, `exit ${code} (${data.run.status}: ${data.run.statusReason}): ${stderr.slice(-500)}`);
  assert.ok(data.run.durationMs! < 2000 + 2500, `the 2 s run took ${data.run.durationMs} ms`);
  const reqs = requests(data.intervals);
  const count = sum(reqs, (r) => r.count);
  assert.ok(count >= 100, `${count} requests`);
  assert.equal(sum(reqs, (r) => r.failed), count, 'every request failed');
  assert.equal(sum(reqs, (r) => r.errors.unreachable ?? 0), count, 'every failure is of class unreachable');
  const ticks = data.intervals.filter((r) => r.type === 'tick');
  assert.ok(ticks.length >= 2, `intervals were closed on time: ${ticks.length} ticks`);
  t.diagnostic(`${count} requests in ${data.run.durationMs} ms; resident memory peaked at ${maxRssMb.toFixed(0)} MB`);
  assert.ok(maxRssMb > 0 && maxRssMb < MAX_RSS_MB, `resident memory peaked at ${maxRssMb.toFixed(0)} MB (bound ${MAX_RSS_MB} MB)`);
});

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test(`${sig} stops a closed-model run against an unroutable address, and what it measured is written`, { skip }, async (t) => {
    const out = join(dir, sig);
    const { child, done } = cliUnshared(['run', scenarioFile(sig, '60s'), '--out', out, '--no-report', '--quiet']);
    t.after(() => void child.kill('SIGKILL'));
    const intervals = join(out, 'intervals.ndjson');
    const deadline = Date.now() + RUN_TIMEOUT_MS / 2;
    while (Date.now() < deadline && child.exitCode === null && !(existsSync(intervals) && statSync(intervals).size > 0)) await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(intervals) && statSync(intervals).size > 0, 'the first interval was written while the VU failed every request');
    child.kill(sig);
    const { code, signal, stderr } = await done;
    assert.equal(signal, null, `the run was killed (${signal}) instead of stopping on ${sig}`);
    assert.equal(code, 105, stderr.slice(-500));
    const data = await readRunDir(out);
    assert.equal(data.run.status, 'interrupted');
    const reqs = requests(data.intervals);
    assert.ok(sum(reqs, (r) => r.count) > 0, 'measured requests were kept');
    assert.equal(sum(reqs, (r) => r.errors.unreachable ?? 0), sum(reqs, (r) => r.count));
    assert.ok(data.summary, 'summary.json was written');
  });
}
