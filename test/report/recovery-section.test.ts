import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drillSamples, measureLoss } from '../../src/run/recovery/measure.ts';
import { renderJunit } from '../../src/report/junit.ts';
import type { RunJson, VerdictJson } from '../../src/results/format.ts';
import { fmtSpan, recoverySectionHtml, recoverySectionMarkdown, recoveryViews } from '../../src/report/recovery-section.ts';

const samples = drillSamples(
  { drill: 'restore', faultMs: 10_000, rto: { rtoMs: 9_500, recovered: true }, loss: measureLoss([{ id: '7', sentMs: 1, ackedMs: 8_000 }], new Set(), 10_000), restoreOk: true, restoreMbPerS: 40, integrity: { ok: true, checks: ['pg_amcheck: ok', '<script>'] } },
  [{ step: 'fault: PostgreSQL killed', tMs: 10_000 }, { step: 'restore done', tMs: 14_000, detail: '<b>4 s</b>' }, { step: 'full backup done', tMs: 5_000 }],
  30_000,
);

test('the Recovery view reads the figures, the plan\'s targets and the timeline in time order', () => {
  const [v] = recoveryViews(samples);
  assert.equal(v!.drill, 'restore');
  assert.equal(v!.rtoMs, 9_500);
  assert.equal(v!.rtoTargetMs, 7_200_000);
  assert.equal(v!.rpoMs, 2_000);
  assert.equal(v!.writesLost, 1);
  assert.deepEqual(v!.steps.map((s) => s.offsetMs), [-5_000, 0, 4_000]);
  assert.deepEqual(recoveryViews([]), []);
});

test('the Recovery section escapes every string and states the figures beside the targets, with the extrapolation', () => {
  const html = recoverySectionHtml(recoveryViews(samples));
  assert.match(html, /<h2 id="recovery">Recovery<\/h2>/);
  assert.ok(!html.includes('<script>') && !html.includes('<b>'), 'run strings are escaped');
  assert.match(html, /RTO<\/td><td class="num">9\.50 s<\/td><td class="num">2 h</);
  assert.match(html, /RPO<\/td><td class="num">2\.00 s<\/td><td class="num">5 min</);
  assert.match(html, /40\.0 MB\/s: at that rate a 100 GB database takes about 0\.7 h/);
  const md = recoverySectionMarkdown(recoveryViews(samples)).join('\n');
  assert.match(md, /\| RTO \| 9\.50 s \| 2 h \|/);
  assert.equal(recoverySectionHtml([]), '');
});

test('spans read as people say them', () => {
  assert.deepEqual([fmtSpan(850), fmtSpan(12_300), fmtSpan(270_000), fmtSpan(7_200_000), fmtSpan(undefined)], ['850 ms', '12.3 s', '4.5 min', '2 h', 'n/a']);
});

test('junit.xml carries each drill\'s figures and the plan\'s targets as suite properties', () => {
  const run = { id: 'r1', scenario: 'restore', profile: 'smoke', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1000 } as unknown as RunJson;
  const verdict = { status: 'pass', exitCode: 0, thresholds: [], alerts: [] } as unknown as VerdictJson;
  const xml = renderJunit(run, verdict, { recovery: recoveryViews(samples) });
  assert.match(xml, /<property name="recovery\.restore\.rto_ms" value="9500"\/>/);
  assert.match(xml, /<property name="recovery\.restore\.rto_target_ms" value="7200000"\/>/);
  assert.match(xml, /<property name="recovery\.restore\.writes_lost" value="1"\/>/);
});
