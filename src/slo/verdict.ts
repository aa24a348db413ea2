// The verdict: the run's overall status and exit code from its status, its threshold entries and its alerts. Pure.
//
// Status and exit code come from exitCodeForOutcome (src/errors.ts), the one place their precedence is decided.
// An interrupted or invalid run never reports pass, and a run without thresholds is "no thresholds", never a pass.

import { exitCodeForOutcome } from '../errors.ts';
import type { AlertFinding, CapacityFinding, RunJson, VerdictEntry, VerdictJson } from '../results/format.ts';
import { FORMAT_VERSION } from '../results/format.ts';
import { formatValue } from '../report/format-values.ts';

/** Verdict options: fail on fired alerts, the run's request totals, and the capacity finding of stress runs. */
export interface VerdictOptions {
  failOnAlerts?: boolean;
  requests?: { total: number; failed: number };
  capacity?: CapacityFinding;
}

/** The status in capitals for a first line: PASS, FAIL, ABORTED, INTERRUPTED, INVALID, NO THRESHOLDS. */
export function statusWord(status: VerdictJson['status']): string {
  return status.replace('-', ' ').toUpperCase();
}

/** The sample count of an entry in words: "16 samples", or "" when the entry predates sample counts. */
export function samplesText(e: Pick<VerdictEntry, 'samples'>): string {
  return e.samples === undefined ? '' : `${e.samples.toLocaleString('en-US')} sample${e.samples === 1 ? '' : 's'}`;
}

/** The "few samples" mark in words: "few samples: p(95) needs 200", or "". */
export function fewSamplesText(e: Pick<VerdictEntry, 'fewSamples' | 'aggregation'>): string {
  return e.fewSamples ? `few samples: ${e.aggregation} needs ${e.fewSamples.minSamples.toLocaleString('en-US')}` : '';
}

/** When an entry aborted the run, in words: "aborted the run at 4 s", or "". */
export function abortedText(e: Pick<VerdictEntry, 'aborted' | 'abortedAtMs'>): string {
  if (!e.aborted) return '';
  return `aborted the run${e.abortedAtMs === undefined ? '' : ` at ${Math.round(e.abortedAtMs / 1000)} s`}`;
}

/** The notes of a verdict line, joined: sample count, few samples, aborted, and the entry's own note. */
export function entryNotes(e: VerdictEntry, opts: { note?: boolean } = {}): string {
  return [samplesText(e), fewSamplesText(e), abortedText(e), opts.note === false ? '' : (e.note ?? '')].filter(Boolean).join('; ');
}

/** The failed entry furthest past its limit (by margin in percent, then in the unit); no-data entries first. */
export function worstEntry(entries: readonly VerdictEntry[]): VerdictEntry | undefined {
  const failed = entries.filter((e) => !e.pass);
  const noData = failed.find((e) => e.observed === null);
  if (noData) return noData;
  return [...failed].sort((a, b) => (a.marginPct ?? a.margin ?? 0) - (b.marginPct ?? b.margin ?? 0))[0];
}

/** One sentence for a failed entry: `http_req_duration p(95)<200: observed 312 ms over 1,200 samples (56% past the limit)`. */
export function describeEntry(e: VerdictEntry): string {
  const past = e.marginPct !== null ? ` (${Math.abs(Number(e.marginPct.toFixed(1)))}% ${e.pass ? 'within' : 'past'} the limit)` : '';
  const over = e.samples === undefined ? '' : ` over ${samplesText(e)}`;
  const few = e.fewSamples ? `; ${fewSamplesText(e)}` : '';
  return `${e.key} ${e.expression}: ${e.observed === null ? (e.note ?? 'no data') : `observed ${formatValue(e.observed, e.unit)}${over}${past}${few}`}`;
}

/** The fired alerts in one clause: the count, and each P0 by name and first time ("P0 error-rate at 2 s"). */
export function firedClause(fired: readonly AlertFinding[]): string {
  if (fired.length === 0) return '';
  const p0 = fired.filter((a) => a.severity === 'P0').map((a) => `P0 ${a.rule} (${a.description}) at ${Math.round((a.firstAtMs ?? 0) / 1000)} s`);
  return `${fired.length} alert rule(s) would have fired${p0.length ? `: ${p0.join(', ')}` : ''}`;
}

/** The requests of a run in words: "errors 100% (401 of 401 requests)", or "no requests". */
export function requestsClause(requests: { total: number; failed: number } | undefined): string {
  if (!requests) return '';
  if (requests.total === 0) return 'no requests';
  return `errors ${formatValue(requests.failed / requests.total, 'ratio')} (${requests.failed.toLocaleString('en-US')} of ${requests.total.toLocaleString('en-US')} requests)`;
}

/** The reason of an aborted run: which threshold stopped it, when, and what it saw then. */
function abortedReason(run: RunJson): string {
  const by = run.abortedBy;
  if (!by) return `aborted by ${run.statusReason ?? 'a threshold'}`;
  const seen = by.observed === undefined ? '' : ` (observed ${formatValue(by.observed, by.unit ?? '')} on the data so far)`;
  return `aborted by ${by.key} ${by.expression} at ${(by.atMs / 1000).toFixed(0)} s${seen}`;
}

/** Builds verdict.json from the run, its evaluated thresholds and its alert findings; status and code from exitCodeForOutcome. */
export function buildVerdict(run: RunJson, entries: VerdictEntry[], alerts: AlertFinding[], opts: VerdictOptions = {}): VerdictJson {
  const failed = entries.filter((e) => !e.pass);
  const fired = alerts.filter((a) => a.fired);
  const { status, exitCode } = exitCodeForOutcome({ status: run.status, thresholds: entries.length, failedThresholds: failed.length, firedAlerts: fired.length, failOnAlerts: opts.failOnAlerts });
  const base = {
    format: FORMAT_VERSION, status, exitCode, thresholds: entries, alerts,
    ...(opts.requests ? { requests: opts.requests } : {}), ...(opts.capacity ? { capacity: opts.capacity } : {}),
    ...(run.profiled ? { profiled: true } : {}),
  };
  const breach = failed.length ? `${failed.length} of ${entries.length} thresholds failed; worst: ${describeEntry(worstEntry(failed) as VerdictEntry)}` : undefined;
  const join = (...parts: Array<string | undefined>) => parts.filter(Boolean).join('; ');
  switch (status) {
    case 'invalid':
      return { ...base, reason: join(run.statusReason ?? 'the results cannot be trusted', run.abortedBy ? abortedReason(run) : undefined) };
    case 'interrupted': {
      const why = run.statusReason ?? (run.status === 'running' ? 'the run never finished (killed?)' : 'stopped before the planned end');
      return { ...base, reason: `${why}; the results are partial` };
    }
    case 'aborted':
      return { ...base, reason: join(abortedReason(run), breach) };
    case 'fail':
      if (breach) return { ...base, reason: breach };
      return { ...base, reason: `${fired.length} alert rule(s) would have fired (--fail-on-alerts); first: ${firstFired(fired)}` };
    case 'no-thresholds':
      return { ...base, reason: join('no thresholds, so nothing was judged', requestsClause(opts.requests), firedClause(fired)) };
    case 'pass':
      return { ...base, reason: join(`all ${entries.length} thresholds passed`, firedClause(fired)) };
  }
}

/** The first alert to fire, in words. */
function firstFired(fired: readonly AlertFinding[]): string {
  const first = [...fired].sort((a, b) => (a.firstAtMs ?? 0) - (b.firstAtMs ?? 0))[0];
  return `${first.severity} ${first.description} at ${Math.round((first.firstAtMs ?? 0) / 1000)} s`;
}
