import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorGapLines, collectorGaps } from '../../src/report/collector-gaps.ts';
import { readRunDir } from '../../src/results/read.ts';
import type { SampleRecord } from '../../src/results/format.ts';
import { refusedUrl } from '../support/servers.ts';

const s = (tMs: number, source: string, value: number | null, error?: string): SampleRecord => ({ tMs, source, metric: 'm', value, ...(error ? { error } : {}) });

test('a tick is a gap when every reading of the collector failed; a flagged null beside readings is not', () => {
  const samples = [
    s(0, 'redis', 1), s(0, 'redis', null, 'maxmemory not set'),
    s(1000, 'redis', null, 'redis redis://:***@127.0.0.1:1: ECONNREFUSED'), s(1000, 'redis', null, 'redis redis://:***@127.0.0.1:1: ECONNREFUSED'),
    s(0, 'prometheus', null, 'scrape failed: password=hunter2'), s(1000, 'prometheus', null, 'scrape failed: ECONNREFUSED'),
    s(0, 'host', 0.5), s(1000, 'host', 0.4),
  ];
  assert.deepEqual(collectorGaps(samples), [
    { source: 'prometheus', gapTicks: 2, ticks: 2, missedShare: 1, lastError: 'scrape failed: ECONNREFUSED' },
    { source: 'redis', gapTicks: 1, ticks: 2, missedShare: 0.5, lastError: 'redis redis://:***@127.0.0.1:1: ECONNREFUSED' },
  ]);
  assert.deepEqual(collectorGapLines(collectorGaps([s(0, 'p', null, 'x password=pw1')])), ['p missed 100% of the run (1 of 1 readings): x password=***']);
  assert.deepEqual(collectorGaps([s(0, 'host', 1)]), []);
});

// Through the real binary: a scenario whose written target is stale, run with --target at a live server that also
// serves /metrics; the default Prometheus URL follows --target. A collector that cannot reach its URL is named in
// report.html and summary.md with its redacted error and the share of the run it missed.
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');

/** Runs the real binary without blocking this process (its test server must keep answering); killed after timeoutMs. */
function runBin(args: string[], cwd: string, timeoutMs: number): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => child.on('close', (status) => (clearTimeout(timer), resolve({ status, stderr }))));
}
const METRICS = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'prometheus', 'target-t0.txt'), 'utf8');
let server: Server;
let url: string;
let dir: string;
before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/metrics') res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(METRICS);
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'perfgate-gaps-'));
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function run(name: string, baseUrl: string, collectors: unknown, extra: string[]): Promise<{ status: number | null; stderr: string; out: string }> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name, target: { baseUrl }, collectors,
    load: { executor: 'constant-arrival-rate', rate: 5, timeUnit: '1s', duration: '3s', preAllocatedVUs: 1, maxVUs: 2 },
    journeys: [{ name: 'j', steps: [{ name: 'root', path: '/' }] }],
  }));
  const out = join(dir, name);
  const r = await runBin(['run', file, '--out', out, '--quiet', ...extra], dir, 120_000);
  return { status: r.status, stderr: r.stderr, out };
}

test('--target re-points the default Prometheus collector: no stale port, no gap', async () => {
  const stale = await refusedUrl();
  const r = await run('follows', stale, { prometheus: {} }, ['--target', url]);
  assert.ok(r.status === 0 || r.status === 103, `exit ${r.status}: ${r.stderr}`);
  const data = await readRunDir(r.out);
  const prom = data.samples.filter((x) => x.source === 'prometheus');
  assert.ok(prom.some((x) => x.value !== null), `the collector scraped the --target: ${JSON.stringify(prom.slice(0, 2))}`);
  assert.deepEqual(collectorGaps(data.samples), [], JSON.stringify(prom.find((x) => x.error)));
  assert.doesNotMatch(readFileSync(join(r.out, 'report.html'), 'utf8'), /Collector gaps/);
});

test('a collector with gaps is named in report.html and summary.md with its redacted error and the share it missed', async () => {
  const dead = `${(await refusedUrl()).replace('http://', 'http://mon:pw-in-url-1@')}/metrics`;
  const r = await run('dead', url, { prometheus: { url: dead } }, []);
  assert.ok(r.status === 0 || r.status === 103, `exit ${r.status}: ${r.stderr}`);
  const html = readFileSync(join(r.out, 'report.html'), 'utf8');
  const md = readFileSync(join(r.out, 'summary.md'), 'utf8');
  assert.match(html, /<h2>Collector gaps<\/h2>/);
  assert.match(html, /data-collector-gap="prometheus">prometheus missed 100% of the run \(\d+ of \d+ readings\): [^<]*ECONNREFUSED/);
  assert.match(md, /\*\*Collectors with gaps\*\*\n\n- prometheus missed 100% of the run \(\d+ of \d+ readings\): .*ECONNREFUSED/);
  for (const text of [html, md]) assert.ok(!text.includes('pw-in-url-1'), 'the password in the URL is redacted');
});
