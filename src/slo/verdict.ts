// The verdict: the run's overall status and exit code from its status, its threshold entries and its alerts. Pure.
//
// Precedence: invalid (103) > interrupted (105) > aborted by a threshold (99) > any threshold failed (99) >
// a fired alert with failOnAlerts (99) > pass (0). An interrupted or invalid run never reports pass.

import { EXIT } from '../errors.ts';
import type { AlertFinding, CapacityFinding, RunJson, VerdictEntry, VerdictJson } from '../results/format.ts';
import { FORMAT_VERSION } from '../results/format.ts';

/** Verdict options: fail on fired alerts, and the capacity finding of stress runs. */
export interface VerdictOptions {
  failOnAlerts?: boolean;
  capacity?: CapacityFinding;
}

/** Formats an observed value with its unit, for one-line reasons. */
export function formatValue(value: number | null, unit: string): string {
  if (value === null) return 'no data';
  const n = Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);
  const num = String(Number(n));
  switch (unit) {
    case 'ms': return `${num} ms`;
    case 'ratio': return `${Number((value * 100).toPrecision(4))}%`;
    case 'bytes': return `${num} B`;
    case 'per_s': return `${num}/s`;
    case 'cores': return `${num} cores`;
    default: return num;
  }
}

/** The failed entry furthest past its limit (by margin in percent, then in the unit); no-data entries first. */
export function worstEntry(entries: readonly VerdictEntry[]): VerdictEntry | undefined {
  const failed = entries.filter((e) => !e.pass);
  const noData = failed.find((e) => e.observed === null);
  if (noData) return noData;
  return [...failed].sort((a, b) => (a.marginPct ?? a.margin ?? 0) - (b.marginPct ?? b.margin ?? 0))[0];
}

/** One sentence for a failed entry: `http_req_duration p(95)<200: observed 312 ms (56% past the limit)`. */
export function describeEntry(e: VerdictEntry): string {
  const past = e.marginPct !== null ? ` (${Math.abs(Number(e.marginPct.toFixed(1)))}% ${e.pass ? 'within' : 'past'} the limit)` : '';
  return `${e.key} ${e.expression}: ${e.observed === null ? (e.note ?? 'no data') : `observed ${formatValue(e.observed, e.unit)}${past}`}`;
}

/** Builds verdict.json from the run, its evaluated thresholds and its alert findings. */
export function buildVerdict(run: RunJson, entries: VerdictEntry[], alerts: AlertFinding[], opts: VerdictOptions = {}): VerdictJson {
  const failed = entries.filter((e) => !e.pass);
  const fired = alerts.filter((a) => a.fired);
  const base = { format: FORMAT_VERSION, thresholds: entries, alerts, ...(opts.capacity ? { capacity: opts.capacity } : {}) };
  const breach = failed.length ? `${failed.length} of ${entries.length} thresholds failed; worst: ${describeEntry(worstEntry(failed) as VerdictEntry)}` : undefined;
  if (run.status === 'invalid') {
    return { ...base, status: 'invalid', exitCode: EXIT.invalidRun, reason: `invalid run: ${run.statusReason ?? 'the results cannot be trusted'}` };
  }
  if (run.status === 'interrupted' || run.status === 'running') {
    const why = run.statusReason ?? (run.status === 'running' ? 'the run never finished (killed?)' : 'interrupted');
    return { ...base, status: 'interrupted', exitCode: EXIT.interrupted, reason: `interrupted: ${why}; the results are partial` };
  }
  if (run.status === 'aborted') {
    const by = run.abortedBy ? `${run.abortedBy.key} ${run.abortedBy.expression} at ${(run.abortedBy.atMs / 1000).toFixed(0)} s` : run.statusReason ?? 'a threshold';
    return { ...base, status: 'aborted', exitCode: EXIT.thresholdsFailed, reason: `aborted by ${by}${breach ? `; ${breach}` : ''}` };
  }
  if (failed.length) return { ...base, status: 'fail', exitCode: EXIT.thresholdsFailed, reason: breach };
  if (opts.failOnAlerts && fired.length) {
    const first = [...fired].sort((a, b) => (a.firstAtMs ?? 0) - (b.firstAtMs ?? 0))[0];
    return { ...base, status: 'fail', exitCode: EXIT.thresholdsFailed, reason: `${fired.length} alert rule(s) would have fired (--fail-on-alerts); first: ${first.severity} ${first.description}` };
  }
  const reason = entries.length === 0 ? 'no thresholds defined' : `all ${entries.length} thresholds passed`;
  return { ...base, status: 'pass', exitCode: EXIT.ok, reason: fired.length ? `${reason}; ${fired.length} alert rule(s) would have fired` : reason };
}
