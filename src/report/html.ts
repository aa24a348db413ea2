// report.html: one self-contained page (inline CSS and SVG, no script, strict CSP) from the report model.
// Every string from the run goes through escapeHtml; chart SVG comes from vega, which escapes its text.

import { createHash } from 'node:crypto';
import type { VerdictEntry } from '../results/format.ts';
import type { ReportModel } from './model.ts';
import type { ChartEntry } from './specs/index.ts';
import { escapeHtml } from './escape.ts';
import { clock, describeLoad, fmtCount, fmtMs, fmtPct, fmtRate, fmtUnit } from './format-values.ts';
import { bannerSentence, causeSentences, failedThresholdSentences, STATUS_WORD } from './narrative.ts';
import { collectorGapLines } from './collector-gaps.ts';
import { redactText } from '../redact.ts';
import { abortedText, fewSamplesText } from '../slo/verdict.ts';
import { REPORT_CSS } from './styles.ts';
import { profileSectionHtml } from './profile-section.ts';
import { recoverySectionHtml } from './recovery-section.ts';

/** A chart ready for the page: its entry and the rendered SVG (absent when left out). */
export interface RenderedChart {
  entry: ChartEntry;
  svg?: string;
}

/** The Content-Security-Policy of a page whose only inline resource is the given stylesheet. */
export function cspFor(css: string): string {
  const hash = createHash('sha256').update(css, 'utf8').digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`;
}

/** The document shell shared by report.html and index.html: CSP meta, inline style, body. */
export function pageShell(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(cspFor(REPORT_CSS))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Makes ids inside one chart's SVG unique on the page (vega may emit clip-path ids). */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg.replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`).replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

function mark(pass: boolean | null): string {
  if (pass === null) return '<span class="mark none">–</span>';
  return pass ? '<span class="mark pass">✔ pass</span>' : '<span class="mark fail">✘ fail</span>';
}

function sloRow(t: VerdictEntry): string {
  const margin = t.margin === null ? 'n/a' : `${t.margin >= 0 ? '+' : '−'}${fmtUnit(Math.abs(t.margin), t.unit)}${t.marginPct === null ? '' : ` (${Math.abs(t.marginPct).toFixed(1)}%)`}`;
  const notes = [abortedText(t), t.note ?? ''].filter(Boolean).join('; ');
  const few = t.fewSamples ? ` <span class="badge few" data-few-samples="${t.fewSamples.minSamples}">${escapeHtml(fewSamplesText(t))}</span>` : '';
  const samples = t.samples === undefined ? '' : fmtCount(t.samples);
  return `<tr class="${t.pass ? 'pass' : 'fail'}"><td class="code">${escapeHtml(t.key)}</td><td class="code">${escapeHtml(t.expression)}</td><td class="num">${escapeHtml(fmtUnit(t.observed, t.unit))}</td><td class="num">${escapeHtml(`${t.operator} ${fmtUnit(t.limit, t.unit)}`)}</td><td class="num">${escapeHtml(margin)}</td><td class="num">${escapeHtml(samples)}${few}</td><td>${mark(t.observed === null && !t.pass ? false : t.pass)}${notes ? ` <span class="muted">${escapeHtml(notes)}</span>` : ''}</td></tr>`;
}

function sloSection(m: ReportModel): string {
  if (!m.verdict) return '<h2>SLOs</h2><p class="note">The SLOs were not evaluated: this run has no verdict.json. Run <span class="code">perfgate check</span> on it.</p>';
  const rows = m.verdict.thresholds;
  const table = rows.length === 0
    ? '<p class="note">No SLO thresholds were defined for this scenario, so nothing was judged: this is not a pass.</p>'
    : `<table><thead><tr><th>threshold</th><th>expression</th><th class="num">observed</th><th class="num">limit</th><th class="num">margin</th><th class="num">samples</th><th>result</th></tr></thead><tbody>${rows.map(sloRow).join('')}</tbody></table>`;
  const fired = m.verdict.alerts.filter((a) => a.fired);
  const quiet = m.verdict.alerts.length - fired.length;
  const alerts = fired.length === 0
    ? `<p class="muted">No alert rule would have fired${quiet ? ` (${quiet} rule${quiet === 1 ? '' : 's'} checked)` : ''}.</p>`
    : `<table><thead><tr><th>severity</th><th>alert rule</th><th>what</th><th class="num">first at</th><th class="num">observed</th></tr></thead><tbody>${fired
        .map((a) => `<tr class="fail"><td><span class="badge fail">${escapeHtml(a.severity)}</span></td><td class="code">${escapeHtml(a.rule)}</td><td>${escapeHtml(a.description)}</td><td class="num">${a.firstAtMs === undefined ? 'n/a' : escapeHtml(clock(a.firstAtMs))}</td><td class="num">${a.observed === undefined ? '' : escapeHtml(fmtUnit(a.observed, a.unit ?? '', true))}</td></tr>`)
        .join('')}</tbody></table>${quiet ? `<p class="muted">${quiet} other alert rule${quiet === 1 ? '' : 's'} would not have fired.</p>` : ''}`;
  return `<h2>SLOs</h2>${table}<h3>Alerts that would have fired</h3>${alerts}`;
}

/** When a side fired, or that it did not. */
function firedCell(side: { fired: boolean; atMs?: number } | undefined, never: string): string {
  if (!side) return '<span class="muted">not evaluated by perfgate</span>';
  return side.fired ? `<span class="badge fail">fired</span> ${escapeHtml(clock(side.atMs ?? 0))}` : `<span class="muted">${escapeHtml(never)}</span>`;
}

/** The alerts that fired in the lab's Prometheus beside perfgate's, each disagreement said in words. */
function prometheusSection(m: ReportModel): string {
  const p = m.prometheus;
  if (!p) return '';
  const shown = p.rows.filter((r) => r.prometheus.fired || r.perfgate?.fired);
  const quiet = p.rows.length - shown.length;
  const table = shown.length === 0
    ? `<p class="muted">No alert fired in Prometheus, and none would have in perfgate's evaluation${quiet ? ` (${quiet} rule${quiet === 1 ? '' : 's'})` : ''}.</p>`
    : `<table><thead><tr><th>severity</th><th>alert rule</th><th>Prometheus alert</th><th>in Prometheus</th><th>perfgate would have</th><th>agree</th></tr></thead><tbody>${shown
        .map((r) => `<tr class="${r.agree === false ? 'fail' : 'pass'}" data-prometheus-alert="${escapeHtml(r.alert)}"><td><span class="badge">${escapeHtml(r.severity)}</span></td><td class="code">${escapeHtml(r.rule)}</td><td class="code">${escapeHtml(r.alert)}</td><td>${firedCell(r.prometheus, 'never fired')}</td><td>${firedCell(r.perfgate, 'not fired')}</td><td>${r.agree === null ? '–' : r.agree ? 'yes' : '<strong>no</strong>'}</td></tr>`)
        .join('')}</tbody></table>${quiet ? `<p class="muted">${quiet} other rule${quiet === 1 ? '' : 's'} fired on neither side.</p>` : ''}`;
  const disagreements = p.rows.filter((r) => r.agree === false).map((r) => `<li class="breach" data-alert-disagreement="${escapeHtml(r.rule)}">${escapeHtml(r.sentence)}</li>`);
  const said = disagreements.length ? `<ul class="causes">${disagreements.join('')}</ul>` : shown.length ? '<p class="muted">Prometheus and perfgate agree on every rule.</p>' : '';
  const scrapes = p.scrapes.length ? `<p class="muted">Scrapes: ${escapeHtml(p.scrapes.join(' '))}</p>` : '';
  const error = p.error ? `<p class="note">The read-back from Prometheus is incomplete: ${escapeHtml(p.error)}</p>` : '';
  return `<h3>Alerts in Prometheus</h3><p class="muted">The lab's Prometheus evaluated the exported rules on the target's and the harness' series during the run.</p>${table}${said}${scrapes}${error}`;
}

function gapsSection(m: ReportModel): string {
  if (m.collectorGaps.length === 0) return '';
  const items = collectorGapLines(m.collectorGaps).map((line, i) => `<li data-collector-gap="${escapeHtml(m.collectorGaps[i]!.source)}">${escapeHtml(line)}</li>`);
  return `<h2>Collector gaps</h2><p class="note">These collectors missed readings, so thresholds and charts on their metrics saw less of the run.</p><ul class="causes">${items.join('')}</ul>`;
}

function chartsSection(charts: RenderedChart[]): string {
  const parts = charts.filter((c) => c.svg).map(({ entry, svg }) =>
    `<figure id="chart-${escapeHtml(entry.id)}" data-chart="${escapeHtml(entry.id)}" aria-label="${escapeHtml(entry.title)}">${scopeSvgIds(svg!, `c-${entry.id}`)}${entry.caption ? `<figcaption class="chart-caption" data-chart-caption>${escapeHtml(entry.caption)}</figcaption>` : ''}</figure>`,
  );
  // Charts without data are named on one line, not drawn as empty boxes.
  const missing = charts.filter((c) => !c.svg).map(({ entry }) => `<span data-chart-missing="${escapeHtml(entry.id)}"><strong>${escapeHtml(entry.title)}</strong>: ${escapeHtml(entry.note ?? 'no data')}</span>`);
  const leftOut = missing.length ? `<p class="note chart-missing" data-charts-left-out>Left out for lack of data: ${missing.join('; ')}.</p>` : '';
  return `<h2>Charts</h2><p class="muted">Time is mm:ss from the start of the run. Grey bands are phases, amber bands injected faults; dashed lines are SLO limits, red points the stretches that break them.</p>${parts.join('\n')}${leftOut}`;
}

function endpointSection(m: ReportModel): string {
  const eps = m.client.endpoints;
  if (eps.length === 0) return '<h2>Endpoints</h2><p class="note">No requests were recorded.</p>';
  const rows = eps.map((e) => {
    const classes = Object.entries(e.errorsByClass).filter(([, n]) => (n ?? 0) > 0).map(([c, n]) => `${c} ${fmtPct((n ?? 0) / Math.max(1, e.requests))}`).join(', ');
    return `<tr><td class="code">${escapeHtml(e.method)} ${escapeHtml(e.name)}</td><td class="num">${fmtCount(e.requests)}</td><td class="num">${fmtPct(e.errorRate)}</td><td>${escapeHtml(classes || '–')}</td><td class="num">${fmtMs(e.p50Ms)}</td><td class="num">${fmtMs(e.p95Ms)}</td><td class="num">${fmtMs(e.p99Ms)}</td><td class="num">${fmtMs(e.maxMs)}</td></tr>`;
  });
  const t = m.client.totals;
  rows.push(`<tr><th>all requests</th><th class="num">${fmtCount(t.requests)}</th><th class="num">${fmtPct(t.errorRate)}</th><th></th><th class="num">${fmtMs(t.p50Ms)}</th><th class="num">${fmtMs(t.p95Ms)}</th><th class="num">${fmtMs(t.p99Ms)}</th><th class="num">${fmtMs(t.maxMs)}</th></tr>`);
  return `<h2>Endpoints</h2><table><thead><tr><th>request</th><th class="num">requests</th><th class="num">error rate</th><th>errors by class</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">max</th></tr></thead><tbody>${rows.join('')}</tbody></table><p class="muted">${escapeHtml(fmtRate(t.reqPerS))} on average over ${escapeHtml(clock(t.durationMs))}.</p>`;
}

function statementsSection(m: ReportModel): string {
  const st = m.server.topStatements;
  if (st.length === 0) return '';
  const rows = st.map((s) => `<tr><td class="code">${escapeHtml(s.query)}</td><td class="num">${s.calls === undefined ? '' : fmtCount(s.calls)}</td><td class="num">${fmtMs(s.totalMs)}</td><td class="num">${s.meanMs === undefined ? '' : fmtMs(s.meanMs)}</td></tr>`);
  return `<h2>Top database statements</h2><table><thead><tr><th>statement</th><th class="num">calls</th><th class="num">total time</th><th class="num">mean</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function metadataSection(m: ReportModel): string {
  const r = m.run;
  const env = r.environment ?? ({} as ReportModel['run']['environment']);
  const items: Array<[string, unknown]> = [
    ['run', r.id],
    ['scenario', r.scenario],
    // The description is the full-size scenario's; a smaller profile says what it actually ran beside it.
    ['description', r.description && r.profile !== 'full' ? `${r.description} (at full size)` : r.description],
    ['profile', r.profile === 'full' ? r.profile : `${r.profile}: ${describeLoad(r.load)} for ${clock(r.plannedDurationMs ?? 0)}`],
    ['status', `${r.status}${r.statusReason ? ` (${r.statusReason})` : ''}`],
    ['target', redactText(r.target?.baseUrl ?? '')],
    ['executor', r.load?.executor],
    ['started', r.startedAt],
    ['ended', r.endedAt],
    ['duration', r.durationMs === undefined ? undefined : `${clock(r.durationMs)} of ${clock(r.plannedDurationMs)} planned`],
    ['exit code', r.exitCode ?? m.verdict?.exitCode],
    ['perfgate', env.perfgateVersion],
    ['git sha', env.gitSha],
    ['node', env.node],
    ['machine', [env.os, env.arch, env.cpus === undefined ? undefined : `${env.cpus} CPUs`].filter(Boolean).join(', ')],
    ['workers', env.workers],
    ['profiled', r.profiled ? `yes (${r.profiler?.tool ?? 'profiler'}; not a baseline)` : undefined],
  ];
  const dl = items.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(redactText(String(v)))}</dd>`).join('');
  return `<h2>Run</h2><dl class="meta">${dl}</dl>`;
}

/** Renders report.html from the model and the rendered charts (and the compare section's HTML, when compared). */
export function renderReportHtml(m: ReportModel, charts: RenderedChart[], compareSection?: string): string {
  // model -> banner + failed thresholds and causes -> SLO table and alerts -> Prometheus' alerts -> charts -> endpoints -> statements -> metadata -> shell
  const word = STATUS_WORD[m.status];
  const causes = causeSentences(m);
  const banner = `<section class="banner ${escapeHtml(m.status)}" id="verdict" data-status="${escapeHtml(m.status)}"><span class="status">${escapeHtml(word)}</span><strong>${escapeHtml(m.run.scenario)}</strong><p class="sentence">${escapeHtml(bannerSentence(m))}</p><p class="meta-line">${escapeHtml(m.run.id)} · started ${escapeHtml(m.run.startedAt)} · target ${escapeHtml(redactText(m.run.target?.baseUrl ?? ''))}</p></section>`;
  const failed = failedThresholdSentences(m).map((c) => `<li class="breach" data-failed-threshold>${escapeHtml(c)}</li>`);
  const items = [...failed, ...causes.map((c) => `<li>${escapeHtml(c)}</li>`)];
  const why = items.length > 0 ? `<h2>What happened</h2><ul class="causes">${items.join('')}</ul>` : '';
  const body = [
    `<h1>perfgate report</h1>`,
    banner,
    why,
    sloSection(m),
    prometheusSection(m),
    recoverySectionHtml(m.recovery ?? []),
    compareSection ?? '',
    gapsSection(m),
    chartsSection(charts),
    endpointSection(m),
    statementsSection(m),
    profileSectionHtml(m.profile),
    metadataSection(m),
    `<footer>Generated by perfgate from the run directory alone. Works offline; charts are static SVG.</footer>`,
  ].join('\n');
  return redactText(pageShell(`${word}: ${m.run.scenario} (${m.run.id})`, body));
}
