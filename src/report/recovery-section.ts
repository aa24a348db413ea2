// The report's "Recovery" section (HTML and Markdown), from a recovery drill's `recovery_*` samples: the timeline
// (fault, each step of the recovery, first success) and the figures beside the plan's targets. Pure.

import type { SampleRecord } from '../results/format.ts';
import { escapeHtml, mdEscape } from './escape.ts';
import { fmtCount, fmtMs } from './format-values.ts';

/** One drill as the section shows it. */
export interface RecoveryView {
  drill: string;
  rtoMs?: number;
  rtoTargetMs?: number;
  recovered?: boolean;
  rpoMs?: number;
  rpoTargetMs?: number;
  writesLost?: number;
  writesAcked?: number;
  restoreOk?: boolean;
  integrityOk?: boolean;
  checks?: string;
  restoreMbPerS?: number;
  rowsMissing?: number;
  serviceGapMs?: number;
  promoted?: boolean;
  oldPrimaryWritable?: boolean;
  replicationLagBytes?: number;
  errorsOutsideSwitch?: number;
  /** Steps in time order: ms from the fault (negative before it), what happened, details. */
  steps: Array<{ offsetMs: number; step: string; detail?: string }>;
}

/** A span of time for people: 850 ms, 12.3 s, 4.5 min, 2 h. */
export function fmtSpan(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return 'n/a';
  if (Math.abs(ms) >= 3_600_000) return `${Number((ms / 3_600_000).toFixed(1))} h`;
  if (Math.abs(ms) >= 60_000) return `${Number((ms / 60_000).toFixed(1))} min`;
  return fmtMs(ms);
}

/** The drills of a run, read from its samples (empty when it ran none). */
export function recoveryViews(samples: readonly SampleRecord[]): RecoveryView[] {
  const views = new Map<string, RecoveryView>();
  for (const s of samples) {
    if (s.source !== 'recovery' || !s.labels?.drill || s.value === null) continue;
    const v = views.get(s.labels.drill) ?? { drill: s.labels.drill, steps: [] };
    views.set(v.drill, v);
    const target = s.labels.target_ms === undefined ? undefined : Number(s.labels.target_ms);
    switch (s.metric) {
      case 'recovery_rto': Object.assign(v, { rtoMs: s.value, rtoTargetMs: target, recovered: s.labels.recovered !== 'false' }); break;
      case 'recovery_rpo': Object.assign(v, { rpoMs: s.value, rpoTargetMs: target }); break;
      case 'recovery_writes_lost': v.writesLost = s.value; break;
      case 'recovery_writes_acked': v.writesAcked = s.value; break;
      case 'recovery_restore_ok': v.restoreOk = s.value === 1; break;
      case 'recovery_integrity_ok': Object.assign(v, { integrityOk: s.value === 1, checks: s.labels.checks }); break;
      case 'recovery_restore_mb_per_s': v.restoreMbPerS = s.value; break;
      case 'recovery_rows_missing': v.rowsMissing = s.value; break;
      case 'recovery_service_gap': v.serviceGapMs = s.value; break;
      case 'recovery_promoted': v.promoted = s.value === 1; break;
      case 'recovery_old_primary_writable': v.oldPrimaryWritable = s.value === 1; break;
      case 'recovery_replication_lag_bytes': v.replicationLagBytes = s.value; break;
      case 'recovery_errors_outside_switch': v.errorsOutsideSwitch = s.value; break;
      case 'recovery_step': v.steps.push({ offsetMs: s.value, step: s.labels.step ?? '?', ...(s.labels.detail ? { detail: s.labels.detail } : {}) }); break;
    }
  }
  for (const v of views.values()) v.steps.sort((a, b) => a.offsetMs - b.offsetMs);
  return [...views.values()];
}

/** The figures of a drill as rows: figure, lab, plan's target. */
function figureRows(v: RecoveryView): Array<[string, string, string]> {
  const rows: Array<[string, string, string]> = [
    ['RTO', `${fmtSpan(v.rtoMs)}${v.recovered === false ? ' (not recovered)' : ''}`, fmtSpan(v.rtoTargetMs)],
    ['RPO', fmtSpan(v.rpoMs), fmtSpan(v.rpoTargetMs)],
    ['acknowledged writes lost', `${fmtCount(v.writesLost)} of ${fmtCount(v.writesAcked)}`, v.rpoTargetMs === 0 ? '0' : '—'],
  ];
  if (v.restoreOk !== undefined) rows.push(['restore completed', v.restoreOk ? 'yes' : 'NO', 'every restore (100%)']);
  if (v.integrityOk !== undefined) rows.push(['integrity checks', `${v.integrityOk ? 'passed' : 'FAILED'}${v.checks ? ` (${v.checks})` : ''}`, 'all pass']);
  if (v.rowsMissing !== undefined) rows.push(['rows from before the accident missing', fmtCount(v.rowsMissing), '0']);
  if (v.serviceGapMs !== undefined) rows.push(['service gap (next acknowledged write)', fmtSpan(v.serviceGapMs), '—']);
  if (v.promoted !== undefined) rows.push(['standby promoted', v.promoted ? 'yes' : 'NO', 'yes']);
  if (v.replicationLagBytes !== undefined) rows.push(['replication lag before the fault', `${fmtCount(v.replicationLagBytes)} bytes`, '—']);
  if (v.errorsOutsideSwitch !== undefined) rows.push(['failed writes outside the switch window', fmtCount(v.errorsOutsideSwitch), '0']);
  if (v.oldPrimaryWritable !== undefined) rows.push(['old primary accepts writes when started again', v.oldPrimaryWritable ? 'YES (split brain)' : 'no (fenced)', 'no']);
  if (v.restoreMbPerS !== undefined) rows.push(['restore throughput', `${v.restoreMbPerS.toFixed(1)} MB/s`, '—']);
  return rows;
}

/** The sentence on extrapolating the lab's restore time to a production database. */
function extrapolation(v: RecoveryView): string | undefined {
  if (v.restoreMbPerS === undefined || v.restoreMbPerS <= 0) return undefined;
  const hPer100Gb = 100_000 / v.restoreMbPerS / 3600;
  return `Restore throughput on the lab was ${v.restoreMbPerS.toFixed(1)} MB/s: at that rate a 100 GB database takes about ${hPer100Gb.toFixed(1)} h to restore, before WAL replay. Scale by your database's size; a production machine and storage will differ.`;
}

/** The report's Recovery section, or '' for a run with no recovery drill. */
export function recoverySectionHtml(views: readonly RecoveryView[]): string {
  if (views.length === 0) return '';
  const parts = ['<h2 id="recovery">Recovery</h2>'];
  for (const v of views) {
    const figures = figureRows(v).map(([k, lab, plan]) => `<tr><td>${escapeHtml(k)}</td><td class="num">${escapeHtml(lab)}</td><td class="num">${escapeHtml(plan)}</td></tr>`).join('');
    const steps = v.steps.map((s) => `<tr><td class="num">${escapeHtml(s.offsetMs >= 0 ? `+${fmtSpan(s.offsetMs)}` : `−${fmtSpan(-s.offsetMs)}`)}</td><td>${escapeHtml(s.step)}</td><td>${escapeHtml(s.detail ?? '')}</td></tr>`).join('');
    const extra = extrapolation(v);
    parts.push(
      `<h3 data-recovery-drill="${escapeHtml(v.drill)}">${escapeHtml(v.drill)}</h3>`,
      `<table data-recovery-figures><thead><tr><th>figure</th><th class="num">lab</th><th class="num">plan's target</th></tr></thead><tbody>${figures}</tbody></table>`,
      extra ? `<p class="note">${escapeHtml(extra)}</p>` : '',
      `<table data-recovery-timeline><thead><tr><th class="num">from the fault</th><th>step</th><th>detail</th></tr></thead><tbody>${steps}</tbody></table>`,
    );
  }
  return parts.join('');
}

/** The Recovery section of summary.md, or [] for a run with no recovery drill. */
export function recoverySectionMarkdown(views: readonly RecoveryView[]): string[] {
  if (views.length === 0) return [];
  const lines = ['**Recovery**', ''];
  for (const v of views) {
    lines.push(`| ${mdEscape(v.drill)} | lab | plan's target |`, '|---|---|---|');
    for (const [k, lab, plan] of figureRows(v)) lines.push(`| ${mdEscape(k)} | ${mdEscape(lab)} | ${mdEscape(plan)} |`);
    lines.push('');
    const extra = extrapolation(v);
    if (extra) lines.push(mdEscape(extra), '');
  }
  return lines;
}
