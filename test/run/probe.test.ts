import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probe } from '../../src/run/probe.ts';
import { readRunDir } from '../../src/results/read.ts';
import { decodeHistogram } from '../../src/metrics/histogram.ts';
import { EXIT, HostNotAllowedError } from '../../src/errors.ts';
import type { RequestIntervalRecord } from '../../src/results/format.ts';
import { startJsonServer, startSilentServer } from '../support/servers.ts';

test('probe writes autocannon results as interval records whose counts match what the server received', async () => {
  const server = await startJsonServer();
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-probe-'));
  try {
    const outcome = await probe({ url: server.url, connections: 4, durationS: 2, out: join(dir, 'p') });
    const data = await readRunDir(outcome.runDir);
    assert.equal(data.run.status, 'completed');
    const reqs = data.intervals.filter((r): r is RequestIntervalRecord => r.type === 'req');
    const count = reqs.reduce((a, r) => a + r.count, 0);
    assert.ok(count > 50, `${count} requests`);
    assert.ok(Math.abs(count - server.arrivals.length) <= 4, `recorded ${count}, server saw ${server.arrivals.length}`);
    assert.equal(reqs.reduce((a, r) => a + decodeHistogram(r.okHist).totalCount, 0), count);
    assert.ok(data.summary, 'summary.json exists');
    await assert.rejects(probe({ url: 'http://192.0.2.1/', durationS: 1, out: join(dir, 'x') }), HostNotAllowedError);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a probe against a server that never answers records each timeout at the full timeout and exits 99', async () => {
  const server = await startSilentServer();
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-probe-'));
  try {
    const outcome = await probe({ url: server.url, connections: 2, durationS: 2.5, timeoutS: 1, out: join(dir, 'p') });
    assert.equal(outcome.exitCode, EXIT.thresholdsFailed);
    assert.ok(outcome.requests >= 2, `${outcome.requests} requests`);
    assert.deepEqual(outcome.errors, { timeout: outcome.requests });
    const duration = outcome.summary.metrics.http_req_duration!.values;
    assert.equal(duration.count, outcome.requests);
    assert.ok(Math.abs(duration.min! - 1000) < 5 && Math.abs(duration.max! - 1000) < 5, `min ${duration.min} max ${duration.max} ms`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
