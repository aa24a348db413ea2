// summary.md: the verdict in compact Markdown (a table with pass/fail marks, the alerts that would have fired, links
// to the charts), for CI logs, PR comments and $GITHUB_STEP_SUMMARY. Pure: data in, text out; every run string escaped.

import type { RunJson, VerdictEntry, VerdictJson } from '../results/format.ts';
import { abortedText, fewSamplesText } from '../slo/verdict.ts';
import { describeLoad, formatValue } from './format-values.ts';
import { collectorGapLines, type CollectorGap } from './collector-gaps.ts';
import { profileSectionMarkdown } from './profile-section.ts';
import { recoverySectionMarkdown, type RecoveryView } from './recovery-section.ts';
import type { ProfileSummary } from '../profile/types.ts';
import { compareAlerts, type PrometheusAlertsJson } from '../slo/prometheus-alerts.ts';

export { mdCode, mdEscape } from './escape.ts';
import { mdCode, mdEscape } from './escape.ts';

const MARK: Record<VerdictJson['status'], string> = {
  pass: '✅ PASS',
  fail: '❌ FAIL',
  aborted: '⛔ ABORTED',
  interrupted: '⚠️ INTERRUPTED',
  invalid: '⚠️ INVALID',
  'no-thresholds': '➖ NO THRESHOLDS',
};

function marginText(e: VerdictEntry): string {
  if (e.margin === null) return '—';
  const sign = e.margin >= 0 ? '+' : '−';
  const abs = Math.abs(e.margin);
  const value = e.unit === 'ratio' ? `${Number((abs * 100).toPrecision(3))} pp` : formatValue(abs, e.unit);
  return `${sign}${value}${e.marginPct === null ? '' : ` (${sign}${Math.abs(Number(e.marginPct.toFixed(1)))}%)`}`;
}

/** Chart file names (relative, e.g. `charts/latency.svg`) become a line of links; absent charts are not linked. */
export interface MarkdownOptions {
  charts?: string[];
  /** Collectors that missed readings (collectorGaps of the run's samples). */
  gaps?: readonly CollectorGap[];
  /** The profile's summary of a profiled run. */
  profile?: ProfileSummary;
  /** What fired in the lab's Prometheus (prometheus-alerts.json). */
  prometheus?: PrometheusAlertsJson;
  /** The recovery drills of the run (recoveryViews of its samples). */
  recovery?: readonly RecoveryView[];
}

/** The lines of the alerts that fired in Prometheus, beside perfgate's, disagreements first. */
function prometheusLines(verdict: VerdictJson, prom: PrometheusAlertsJson | undefined): string[] {
  if (!prom) return [];
  const rows = compareAlerts(verdict.alerts, prom).filter((r) => r.prometheus.fired || r.perfgate?.fired);
  const sorted = [...rows.filter((r) => r.agree === false), ...rows.filter((r) => r.agree !== false)];
  const lines = ['**Alerts in Prometheus**', ''];
  if (sorted.length === 0) lines.push('- No alert fired in Prometheus, and none would have in perfgate\'s evaluation.');
  for (const r of sorted) lines.push(`- ${r.agree === false ? '❌ ' : ''}${mdEscape(r.sentence)}`);
  if (prom.error) lines.push(`- The read-back is incomplete: ${mdEscape(prom.error)}`);
  return [...lines, ''];
}

/** Renders summary.md for a run's verdict. */
export function renderMarkdown(run: RunJson, verdict: VerdictJson, opts: MarkdownOptions = {}): string {
  const durationS = Math.round((run.durationMs ?? 0) / 1000);
  const load = describeLoad(run.load);
  const lines = [
    `## perfgate ${MARK[verdict.status]}: ${mdEscape(run.scenario)} (${mdEscape(run.profile)})`,
    '',
    `${mdEscape(verdict.reason ?? '')}`,
    '',
    `${durationS} s · ${mdEscape(load)} · target ${mdEscape(run.target.baseUrl)} · exit code ${verdict.exitCode}`,
    '',
  ];
  if (verdict.capacity) lines.push(`**${mdEscape(verdict.capacity.sentence)}**`, '');
  if (verdict.thresholds.length) {
    lines.push('| | metric | threshold | observed | margin | samples |', '|---|---|---|---|---|---|');
    for (const e of verdict.thresholds) {
      const mark = e.pass ? '✅' : '❌';
      const observed = e.observed === null ? (e.note ?? 'no data') : formatValue(e.observed, e.unit);
      const extra = e.aborted ? ` (${abortedText(e)})` : '';
      const samples = [e.samples === undefined ? '' : e.samples.toLocaleString('en-US'), e.fewSamples ? `⚠️ ${fewSamplesText(e)}` : ''].filter(Boolean).join(' ');
      lines.push(`| ${mark} | ${mdCode(e.key)} | ${mdCode(e.expression)}${mdEscape(extra)} | ${mdEscape(observed)} | ${mdEscape(marginText(e))} | ${mdEscape(samples || '—')} |`);
    }
    lines.push('');
  } else {
    lines.push('No thresholds were defined, so nothing was judged: this is not a pass.', '');
  }
  const fired = verdict.alerts.filter((a) => a.fired);
  if (fired.length) {
    lines.push('**Alert rules that would have fired**', '');
    for (const a of fired) {
      lines.push(`- ${a.severity} ${mdEscape(a.description)}: first at ${Math.round((a.firstAtMs ?? 0) / 1000)} s (observed ${a.observed === undefined ? '?' : formatValue(a.observed, a.unit ?? '')})`);
    }
    lines.push('');
  }
  lines.push(...prometheusLines(verdict, opts.prometheus));
  if (opts.gaps?.length) {
    lines.push('**Collectors with gaps**', '');
    for (const line of collectorGapLines(opts.gaps)) lines.push(`- ${mdEscape(line)}`);
    lines.push('');
  }
  lines.push(...recoverySectionMarkdown(opts.recovery ?? []));
  lines.push(...profileSectionMarkdown(opts.profile));
  const charts = opts.charts ?? [];
  if (charts.length) {
    const links = charts.map((c) => `[${mdEscape(c.replace(/^.*\//, '').replace(/\.svg$/, ''))}](${encodeURI(c).replace(/[()]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`)})`);
    lines.push(`Charts: ${links.join(' · ')}`, '');
  }
  return lines.join('\n');
}
