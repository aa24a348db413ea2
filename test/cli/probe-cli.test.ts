import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/errors.ts';
import type { SummaryJson } from '../../src/results/format.ts';
import { refusedUrl } from '../support/servers.ts';
import { runCli } from '../support/cli.ts';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'perfgate-probe-cli-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A server that answers 200 and 500 by turns. */
async function alternatingServer(): Promise<{ url: string; server: Server }> {
  let n = 0;
  const server = createServer((_req, res) => {
    res.writeHead(n++ % 2 === 0 ? 200 : 500, { 'content-length': 2 });
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

const summaryOf = (out: string): SummaryJson => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as SummaryJson;

test('a probe whose every request is refused says so first, by error class, gives no req/s, and exits 99', async () => {
  const out = join(dir, 'refused');
  const r = await runCli(['probe', await refusedUrl(), '-c', '2', '-d', '1s', '--out', out], { cwd: dir });
  assert.equal(r.code, EXIT.thresholdsFailed, r.stderr);
  const lines = r.stderr.trim().split('\n');
  const m = /^perfgate: probe: every request failed \((\d+) of (\d+): econnrefused (\d+)\)/.exec(lines[0]!);
  assert.ok(m, r.stderr);
  assert.ok(m[1] === m[2] && m[2] === m[3] && Number(m[1]) > 0, r.stderr);
  assert.doesNotMatch(r.stderr, /req\/s|responses\/s/);
  const duration = summaryOf(out).metrics.http_req_duration!.values;
  // Each failure is recorded at the time it took to fail, not at an invented 1 us; two connections fail one
  // request after another, so the failures' total time fits in 2 connections x the probe's length.
  assert.equal(duration.count, Number(m[1]));
  assert.ok(duration.min! > 0.001, `min ${duration.min} ms`);
  assert.ok(duration.avg! * duration.count! <= 2 * 1000 * 1.5, `avg ${duration.avg} ms x ${duration.count}`);
});

test('a probe with some failed requests counts them first and reports only successful responses per second', async () => {
  const { url, server } = await alternatingServer();
  try {
    const out = join(dir, 'mixed');
    const r = await runCli(['probe', url, '-c', '2', '-d', '1', '--out', out], { cwd: dir });
    assert.equal(r.code, EXIT.ok, r.stderr);
    const lines = r.stderr.trim().split('\n');
    const m = /^perfgate: probe: (\d+) of (\d+) requests failed \(http_5xx (\d+)\)$/.exec(lines[0]!);
    assert.ok(m, r.stderr);
    assert.ok(Math.abs(2 * Number(m[1]) - Number(m[2])) <= 2, r.stderr);
    assert.match(lines[1]!, /^perfgate: probe \d+ successful responses\/s with 2 connections \(the failed requests are not counted\)$/);
    assert.equal(summaryOf(out).metrics.http_reqs!.values.count, Number(m[2]));
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('probe --duration takes a k6 duration or a number of seconds, and refuses anything else naming the flag', async () => {
  for (const bad of ['0', 'soon', '-1s']) {
    const r = await runCli(['probe', 'http://127.0.0.1:1/', '-d', bad, '--out', join(dir, 'bad')], { cwd: dir });
    assert.equal(r.code, EXIT.invalidConfig, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--duration: /, bad);
  }
  const r = await runCli(['probe', await refusedUrl(), '-c', '1', '-d', '500ms', '--out', join(dir, 'ms'), '--quiet'], { cwd: dir });
  assert.equal(r.code, EXIT.thresholdsFailed, r.stderr);
  const run = JSON.parse(readFileSync(join(dir, 'ms', 'run.json'), 'utf8')) as { plannedDurationMs: number };
  assert.equal(run.plannedDurationMs, 500);
});
