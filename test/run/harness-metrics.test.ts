import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readRunDir } from '../../src/results/read.ts';
import { startHarnessMetrics } from '../../src/run/harness-metrics.ts';
import type { RequestIntervalRecord } from '../../src/results/format.ts';

const FAIL_RUN = join(import.meta.dirname, '..', '..', 'fixtures', 'runs', 'fail');

/** The value of one series in an exposition text, or undefined. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('the harness serves its run as Prometheus metrics on a loopback port: requests, errors by class, SLO buckets, VUs, phase, generator health', async () => {
  const data = await readRunDir(FAIL_RUN);
  const metrics = await startHarnessMetrics(0);
  try {
    assert.match(metrics.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    metrics.onStart(data.run);
    const ends = [...new Set(data.intervals.map((r) => r.tMs))].sort((a, b) => a - b);
    for (const t of ends) metrics.onRecords(data.intervals.filter((r) => r.tMs === t));
    for (const s of data.samples) metrics.onSample(s);
    const res = await fetch(metrics.url);
    assert.equal(res.status, 200);
    const text = await res.text();
    const reqs = data.intervals.filter((r): r is RequestIntervalRecord => r.type === 'req');
    const total = reqs.reduce((n, r) => n + r.count, 0);
    const sent = text.split('\n').filter((l) => l.startsWith('perfgate_http_reqs_total{')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    assert.equal(sent, total);
    const failed = reqs.reduce((n, r) => n + Object.values(r.errors).reduce((a, b) => a + (b ?? 0), 0), 0);
    const byClass = text.split('\n').filter((l) => l.startsWith('perfgate_http_req_failed_total{')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    assert.equal(byClass, failed);
    assert.ok(failed > 0, 'the fail run has errors');
    const inf = ['true', 'false'].reduce((n, e) => n + (valueOf(text, `perfgate_http_req_duration_seconds_bucket{le="+Inf",expected_response="${e}"}`) ?? 0), 0);
    assert.equal(inf, total, 'every request is in the histogram');
    for (const edge of ['0.05', '0.1', '0.2', '0.5']) assert.match(text, new RegExp(`perfgate_http_req_duration_seconds_bucket\\{le="${edge}",expected_response="true"\\} \\d+`));
    const last = data.intervals.filter((r) => r.type === 'tick').at(-1)!;
    assert.equal(valueOf(text, 'perfgate_vus'), last.type === 'tick' ? last.vus : NaN);
    assert.equal(valueOf(text, `perfgate_phase_active{phase="${last.phase}"}`), 1);
    assert.match(text, /^perfgate_dropped_iterations_total \d+/m);
    assert.match(text, /^perfgate_generator_cpu_cores [\d.]+/m);
    assert.match(text, /^perfgate_generator_event_loop_lag_p99_seconds [\d.]+/m);
    assert.equal(valueOf(text, 'perfgate_load_start_timestamp_seconds'), Date.parse(data.run.startedAt) / 1000);
    assert.ok((valueOf(text, 'perfgate_redis_memory_utilization') ?? 0) > 0);
    assert.equal((await fetch(metrics.url.replace('/metrics', '/other'))).status, 404);
  } finally {
    await metrics.close();
  }
});
