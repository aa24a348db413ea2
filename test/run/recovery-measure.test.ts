import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drillSamples, measureLoss, measureRto, PLAN_TARGETS, SWITCH_SETTLE_MS, switchWindowErrors, type LedgerEntry } from '../../src/run/recovery/measure.ts';

const entries: LedgerEntry[] = [
  { id: '1', sentMs: 900, ackedMs: 1_000 },
  { id: '2', sentMs: 1_900, ackedMs: 2_000 },
  { id: '3', sentMs: 2_900, ackedMs: 3_000 },
  { id: '4', sentMs: 9_000, ackedMs: 12_000 },
];

test('no acknowledged write missing means RPO 0 and nothing lost', () => {
  assert.deepEqual(measureLoss(entries, new Set(['1', '2', '3', '4']), 4_000), { acked: 4, lost: 0, lostIds: [], rpoMs: 0 });
});

test('RPO is the span from the earliest lost acknowledgement to the fault', () => {
  const loss = measureLoss(entries, new Set(['1', '4']), 4_000);
  assert.equal(loss.lost, 2);
  assert.deepEqual(loss.lostIds, ['2', '3']);
  assert.equal(loss.rpoMs, 2_000);
});

test('a write acknowledged after the fault and then lost counts as lost, and stretches the RPO from the earliest lost one to it', () => {
  assert.equal(measureLoss(entries, new Set(['1', '2', '3']), 4_000).lost, 1);
  assert.equal(measureLoss(entries, new Set(['1']), 4_000).rpoMs, 10_000);
});

test('RTO runs from the fault to the acknowledgement of the first write sent after it; unrecovered, to now', () => {
  assert.deepEqual(measureRto(4_000, entries[3], 20_000), { rtoMs: 8_000, recovered: true });
  assert.deepEqual(measureRto(4_000, undefined, 20_000), { rtoMs: 16_000, recovered: false });
});

test('a drill writes one sample per figure with the plan\'s target, and one per timeline step relative to the fault', () => {
  const samples = drillSamples(
    { drill: 'restore', faultMs: 4_000, rto: { rtoMs: 8_000, recovered: true }, loss: measureLoss(entries, new Set(['1', '4']), 4_000), restoreOk: true, restoreMbPerS: 25, integrity: { ok: true, checks: ['a: ok'] } },
    [{ step: 'fault', tMs: 4_000 }, { step: 'backup', tMs: 1_500, detail: 'full' }],
    20_000,
  );
  const by = (m: string) => samples.filter((s) => s.metric === m);
  assert.equal(by('recovery_rto')[0]!.value, 8_000);
  assert.equal(by('recovery_rto')[0]!.labels!.target_ms, String(PLAN_TARGETS.restore!.rtoMs));
  assert.equal(by('recovery_rpo')[0]!.labels!.target_ms, String(5 * 60_000));
  assert.equal(by('recovery_writes_lost')[0]!.value, 2);
  assert.equal(by('recovery_integrity_ok')[0]!.value, 1);
  assert.equal(by('recovery_restore_mb_per_s')[0]!.value, 25);
  assert.deepEqual(by('recovery_step').map((s) => [s.labels!.step, s.value]), [['fault', 0], ['backup', -2_500]]);
  assert.ok(samples.every((s) => s.source === 'recovery' && s.labels!.drill === 'restore'));
});

test('failover: a write failed in the settle after the first success is inside the switch window; before the fault or after the settle it is not', () => {
  const fault = 10_000;
  const firstAck = 25_000;
  // A write sent 300 ms after the first success failed on a pooled connection to the old primary: inside the window.
  assert.deepEqual(switchWindowErrors([12_000, 24_000, firstAck + 300], fault, firstAck), { outside: 0, inSettle: 1 });
  assert.deepEqual(switchWindowErrors([9_999, firstAck + SWITCH_SETTLE_MS + 1], fault, firstAck), { outside: 2, inSettle: 0 });
  assert.deepEqual(switchWindowErrors([firstAck + SWITCH_SETTLE_MS], fault, firstAck), { outside: 0, inSettle: 1 }, 'the settle ends inclusive');
});
