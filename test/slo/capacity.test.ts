import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readRunDir } from '../../src/results/read.ts';
import { parseThresholds } from '../../src/slo/grammar.ts';
import { findCapacity } from '../../src/slo/capacity.ts';
import { evaluateThresholds } from '../../src/slo/evaluate.ts';
import type { TickIntervalRecord } from '../../src/results/format.ts';

const fixture = (name: string) => join(import.meta.dirname, '..', '..', 'fixtures', 'runs', name);

test('the breaking point of a run with a latency knee is the last healthy load before p95 broke', async () => {
  const data = await readRunDir(fixture('fail'));
  const slos = parseThresholds({ http_req_duration: ['p(95)<200'] });
  const found = findCapacity(data, slos);
  assert.ok(found?.firstBreach, JSON.stringify(found));
  const { atMs, vus, observed } = found.firstBreach;
  // The window ending at the breach fails, the one a second earlier held: check both independently.
  const failing = evaluateThresholds(data, slos, { window: { fromMs: atMs - 10_000, toMs: atMs } })[0]!;
  assert.equal(failing.pass, false);
  assert.equal(failing.observed, observed);
  const before = evaluateThresholds(data, slos, { window: { fromMs: atMs - 11_000, toMs: atMs - 1000 } })[0]!;
  assert.equal(before.pass, true, `the window before the breach held (p95 ${before.observed})`);
  const ticks = data.intervals.filter((r): r is TickIntervalRecord => r.type === 'tick');
  const healthyTicks = ticks.filter((t) => t.tMs < atMs - 1000);
  assert.equal(found.maxHealthyVUs, Math.max(...healthyTicks.map((t) => t.vusMax)));
  assert.equal(vus, ticks.find((t) => t.tMs + t.intervalMs === atMs)!.vusMax);
  assert.match(found.sentence, /^capacity: [\d,]+ users; http_req_duration p\(95\)<200 broke first at \d\d:\d\d with [\d,]+ users \(observed .+\)$/);
});

test('a run that held every capacity SLO reports at least its peak load, and no SLOs means no finding', async () => {
  const data = await readRunDir(fixture('pass'));
  const found = findCapacity(data, parseThresholds({ http_req_failed: ['rate<0.5'] }));
  const peak = Math.max(...data.intervals.filter((r): r is TickIntervalRecord => r.type === 'tick').map((t) => t.vusMax));
  assert.equal(found?.firstBreach, undefined);
  assert.equal(found?.maxHealthyVUs, peak);
  assert.match(found!.sentence, /no capacity SLO broke/);
  assert.equal(findCapacity(data, []), undefined);
});
