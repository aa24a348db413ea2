// junit.xml: one test case per threshold (classname = metric key, name = expression), failures carrying the observed
// value and margin, in the common JUnit XML shape Jenkins, GitLab and GitHub reporters read. Pure: data in, XML out.

import type { RunJson, VerdictEntry, VerdictJson } from '../results/format.ts';
import { fewSamplesText, samplesText } from '../slo/verdict.ts';
import { formatValue } from './format-values.ts';
import type { RecoveryView } from './recovery-section.ts';

/** Escapes text for XML content and attributes; drops characters XML 1.0 cannot hold. */
export function xmlEscape(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (a: Record<string, string | number>): string =>
  Object.entries(a).map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join('');

/** " at 4 s" when the entry knows when it aborted the run, else "". */
export function abortedAt(e: VerdictEntry): string {
  return e.abortedAtMs === undefined ? '' : ` at ${Math.round(e.abortedAtMs / 1000)} s`;
}

/** The failure message of a threshold: observed value, limit, margin, sample count and the "few samples" mark. */
export function failureMessage(e: VerdictEntry): string {
  if (e.observed === null) return `${e.note ?? 'no data'} (limit ${e.operator} ${formatValue(e.limit, e.unit)})`;
  const extra = [samplesText(e), fewSamplesText(e)].filter(Boolean).map((x) => `, ${x}`).join('');
  return `observed ${formatValue(e.observed, e.unit)}, limit ${e.operator} ${formatValue(e.limit, e.unit)}, margin ${marginText(e)}${extra}`;
}

/** A margin in the threshold's unit, signed, with its share of the limit: "-220 ms (-109.9% of the limit)", "-1.161% (-116.1% of the limit)". */
export function marginText(e: Pick<VerdictEntry, 'margin' | 'marginPct' | 'unit'>): string {
  if (e.margin === null) return 'n/a';
  return `${formatValue(e.margin, e.unit)}${e.marginPct === null ? '' : ` (${e.marginPct.toFixed(1)}% of the limit)`}`;
}

/** A time since the run start in seconds for a window: "1.58 s", "120 s". */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toPrecision(ms >= 100_000 ? 4 : 3))} s`;
}

/** The window of an entry: "0 s..5 s", with its stretches when a phase has several. */
function windowText(e: VerdictEntry): string {
  const spans = e.window.spans ? ` (stretches ${e.window.spans.map((s) => `${seconds(s.fromMs)}..${seconds(s.toMs)}`).join(', ')})` : '';
  return `${seconds(e.window.fromMs)}..${seconds(e.window.toMs)}${spans}`;
}

/** The recovery drills' figures beside the plan's targets, as suite properties (`recovery.<drill>.<figure>`). */
function recoveryProperties(views: readonly RecoveryView[]): Array<[string, string | number]> {
  const out: Array<[string, string | number]> = [];
  for (const v of views) {
    const figures: Array<[string, number | undefined]> = [['rto_ms', v.rtoMs], ['rto_target_ms', v.rtoTargetMs], ['rpo_ms', v.rpoMs], ['rpo_target_ms', v.rpoTargetMs], ['writes_lost', v.writesLost], ['writes_acked', v.writesAcked], ['restore_mb_per_s', v.restoreMbPerS]];
    for (const [k, value] of figures) if (value !== undefined) out.push([`recovery.${v.drill}.${k}`, Number(value.toFixed(3))]);
  }
  return out;
}

/** Renders junit.xml for a run's verdict; fired alerts are failures only with failOnAlerts. */
export function renderJunit(run: RunJson, verdict: VerdictJson, opts: { failOnAlerts?: boolean; recovery?: readonly RecoveryView[] } = {}): string {
  const timeS = ((run.durationMs ?? 0) / 1000).toFixed(3);
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  for (const e of verdict.thresholds) {
    const body: string[] = [];
    if (!e.pass) {
      failures++;
      const detail = [
        `metric: ${e.key}`, `expression: ${e.expression}`, `observed: ${formatValue(e.observed, e.unit)}`, `margin: ${marginText(e)}`,
        `window: ${windowText(e)}`, ...(e.samples === undefined ? [] : [`samples: ${e.samples}`]), ...(e.fewSamples ? [fewSamplesText(e)] : []),
        ...(e.aborted ? [`this threshold aborted the run (abortOnFail)${abortedAt(e)}`] : []), ...(e.note ? [`note: ${e.note}`] : []),
      ].join('\n');
      body.push(`      <failure${attrs({ message: failureMessage(e), type: 'ThresholdFailed' })}>${xmlEscape(detail)}</failure>`);
    } else {
      const extra = [samplesText(e), fewSamplesText(e)].filter(Boolean).join('; ');
      body.push(`      <system-out>${xmlEscape(`observed ${formatValue(e.observed, e.unit)}, margin ${marginText(e)}${extra ? `; ${extra}` : ''}`)}</system-out>`);
    }
    cases.push(`    <testcase${attrs({ classname: e.key, name: e.expression, time: '0' })}>\n${body.join('\n')}\n    </testcase>`);
  }
  if (verdict.status === 'invalid' || verdict.status === 'interrupted') {
    errors++;
    cases.push(
      `    <testcase${attrs({ classname: 'perfgate', name: 'run completed', time: timeS })}>\n` +
        `      <error${attrs({ message: verdict.reason ?? verdict.status, type: verdict.status === 'invalid' ? 'InvalidRun' : 'Interrupted' })}/>\n    </testcase>`,
    );
  }
  for (const a of verdict.alerts) {
    const text = a.fired ? `would have fired at ${((a.firstAtMs ?? 0) / 1000).toFixed(0)} s (observed ${formatValue(a.observed ?? null, a.unit ?? '')})` : a.note ?? 'did not fire';
    const inner = a.fired && opts.failOnAlerts
      ? `      <failure${attrs({ message: text, type: 'AlertFired' })}/>`
      : `      <system-out>${xmlEscape(text)}</system-out>`;
    if (a.fired && opts.failOnAlerts) failures++;
    cases.push(`    <testcase${attrs({ classname: `alerts.${a.severity}`, name: a.description, time: '0' })}>\n${inner}\n    </testcase>`);
  }
  const counts = { tests: cases.length, failures, errors, skipped: 0, time: timeS };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'perfgate', ...counts })}>`,
    `  <testsuite${attrs({ name: `perfgate ${run.scenario} (${run.profile})`, ...counts, timestamp: run.startedAt.replace(/\.\d+Z$|Z$/, ''), hostname: 'perfgate' })}>`,
    `    <properties>`,
    `      <property${attrs({ name: 'run', value: run.id })}/>`,
    `      <property${attrs({ name: 'status', value: verdict.status })}/>`,
    `      <property${attrs({ name: 'exitCode', value: verdict.exitCode })}/>`,
    ...recoveryProperties(opts.recovery ?? []).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    `    </properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
