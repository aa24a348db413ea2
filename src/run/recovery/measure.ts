// The recovery figures, measured from the ledger of acknowledged writes (pure): RPO from the writes the API
// acknowledged that are missing after recovery, RTO from the fault to the first acknowledged write after it, and the
// samples (`recovery_*`) that thresholds gate and the report's Recovery section reads.

import type { SampleRecord } from '../../results/format.ts';

/** One write the API acknowledged: its id, when it was sent and when the 201 came (run clock, ms). */
export interface LedgerEntry {
  id: string;
  sentMs: number;
  ackedMs: number;
}

/** What was lost: acknowledged writes missing after recovery, and the time span they cover. */
export interface LossFigures {
  acked: number;
  lost: number;
  /** The first few lost ids, for the report. */
  lostIds: string[];
  /** ms from the earliest lost write's acknowledgement to the fault (or to the last lost one, when later): 0 when none. */
  rpoMs: number;
}

/** The writes of the ledger missing from `present`, and the RPO they make. */
export function measureLoss(entries: readonly LedgerEntry[], present: ReadonlySet<string>, faultMs: number): LossFigures {
  const lost = entries.filter((e) => !present.has(e.id));
  if (lost.length === 0) return { acked: entries.length, lost: 0, lostIds: [], rpoMs: 0 };
  const first = Math.min(...lost.map((e) => e.ackedMs));
  const last = Math.max(...lost.map((e) => e.ackedMs));
  return { acked: entries.length, lost: lost.length, lostIds: lost.slice(0, 10).map((e) => e.id), rpoMs: Math.max(0, Math.max(faultMs, last) - first) };
}

/**
 * How long after the first acknowledged write the failover switch may still fail a write: a pooled connection of the
 * target that still pointed at the old primary fails once, when it is next used.
 */
export const SWITCH_SETTLE_MS = 2_000;

/**
 * The ledger's failed writes (by send time) against the failover's switch window, from the fault to SWITCH_SETTLE_MS
 * after the first acknowledged write: those outside it (a bug), and those in the settle after the first success.
 */
export function switchWindowErrors(failedAtMs: readonly number[], faultMs: number, firstAckMs: number): { outside: number; inSettle: number } {
  const endMs = firstAckMs + SWITCH_SETTLE_MS;
  return {
    outside: failedAtMs.filter((t) => t < faultMs || t > endMs).length,
    inSettle: failedAtMs.filter((t) => t > firstAckMs && t <= endMs).length,
  };
}

/** The RTO: ms from the fault to the acknowledgement of the first write sent after it; unrecovered: the time waited. */
export function measureRto(faultMs: number, firstAfter: LedgerEntry | undefined, nowMs: number): { rtoMs: number; recovered: boolean } {
  return firstAfter ? { rtoMs: firstAfter.ackedMs - faultMs, recovered: true } : { rtoMs: Math.max(0, nowMs - faultMs), recovered: false };
}

/** One moment of a drill's timeline (run clock, ms). */
export interface TimelineStep {
  step: string;
  tMs: number;
  detail?: string;
}

/** The plan's promise for an incident. */
export interface RecoveryTarget {
  incident: string;
  rtoMs: number;
  rpoMs: number;
}

/** The production plan's recovery targets, by drill. */
export const PLAN_TARGETS: Record<string, RecoveryTarget> = {
  restore: { incident: 'database corruption: restore from backup and replay WAL', rtoMs: 2 * 3_600_000, rpoMs: 5 * 60_000 },
  pitr: { incident: 'accidental deletion: point-in-time recovery', rtoMs: 30 * 60_000, rpoMs: 0 },
  failover: { incident: 'regional outage: fail over to the standby', rtoMs: 3_600_000, rpoMs: 5 * 60_000 },
};

/** A drill's figures, as measured. */
export interface DrillFigures {
  drill: string;
  faultMs: number;
  rto: { rtoMs: number; recovered: boolean };
  loss: LossFigures;
  /** Every integrity check passed (and which ran). */
  integrity?: { ok: boolean; checks: string[] };
  /** The restore ran to its end (the database came back). */
  restoreOk?: boolean;
  /** Restored bytes over the restore's time. */
  restoreMbPerS?: number;
  /** More drill-specific figures, each a `recovery_<name>` sample. */
  extra?: Record<string, number>;
}

/** The samples a drill writes: one per figure (labelled with the drill and the plan's target) and one per step. */
export function drillSamples(f: DrillFigures, timeline: readonly TimelineStep[], atMs: number): SampleRecord[] {
  const target = PLAN_TARGETS[f.drill];
  const labels = { drill: f.drill };
  const s = (metric: string, value: number, more: Record<string, string> = {}): SampleRecord => ({ tMs: atMs, source: 'recovery', metric, value, labels: { ...labels, ...more } });
  const out: SampleRecord[] = [
    s('recovery_rto', f.rto.rtoMs, { recovered: String(f.rto.recovered), ...(target ? { target_ms: String(target.rtoMs) } : {}) }),
    s('recovery_rpo', f.loss.rpoMs, target ? { target_ms: String(target.rpoMs) } : {}),
    s('recovery_writes_lost', f.loss.lost, { acked: String(f.loss.acked), ...(f.loss.lostIds.length ? { lost_ids: f.loss.lostIds.join(' ') } : {}) }),
    s('recovery_writes_acked', f.loss.acked),
  ];
  if (f.integrity) out.push(s('recovery_integrity_ok', f.integrity.ok ? 1 : 0, { checks: f.integrity.checks.join(', ') }));
  if (f.restoreOk !== undefined) out.push(s('recovery_restore_ok', f.restoreOk ? 1 : 0));
  if (f.restoreMbPerS !== undefined) out.push(s('recovery_restore_mb_per_s', f.restoreMbPerS));
  for (const [name, value] of Object.entries(f.extra ?? {})) out.push(s(`recovery_${name}`, value));
  for (const t of timeline) out.push({ tMs: t.tMs, source: 'recovery', metric: 'recovery_step', value: t.tMs - f.faultMs, labels: { ...labels, step: t.step, ...(t.detail ? { detail: t.detail } : {}) } });
  return out;
}
