// report.html's "Compared with baseline" section, from the run directory's compare.json: a chart of each latency
// comparison's candidate against the baselines' band (on the scale of the baselines' centre), and the table of every
// comparison (metric, baseline, candidate, change, interval, verdict). Every string escaped; the chart is vega's SVG.

import type { TopLevelSpec } from 'vega-lite';
import type { Comparison, CompareJson, CompareVerdict } from '../compare/types.ts';
import { changeText, intervalText } from '../compare/render.ts';
import { formatValue } from './format-values.ts';
import { escapeHtml } from './escape.ts';
import { CHART_WIDTH, COLORS, CONFIG } from './specs/common.ts';

const VERDICT_COLOR: Record<CompareVerdict, string> = { regressed: COLORS.fail, improved: COLORS.pass, unchanged: '#57606a', inconclusive: COLORS.warn };
const ORDER: CompareVerdict[] = ['regressed', 'inconclusive', 'improved', 'unchanged'];
/** Most rows the chart draws (the regressed and inconclusive first); the table lists every comparison. */
const MAX_CHART_ROWS = 40;

/** One row of the band chart: the baselines' range, the candidate and its interval, relative to the baselines' centre. */
interface BandRow {
  key: string;
  lo: number;
  hi: number;
  candidate: number;
  intervalLo: number;
  intervalHi: number;
  verdict: CompareVerdict;
}

function bandRows(c: CompareJson): BandRow[] {
  const rows: BandRow[] = [];
  for (const x of c.comparisons) {
    const centre = x.baseline.center;
    if (x.metric !== 'http_req_duration' && x.metric !== 'db_query_duration') continue;
    if (!centre || x.candidate === null || !x.interval || !x.interval.every(Number.isFinite)) continue;
    const rel = x.baseline.values.filter((v): v is number => v !== null).map((v) => v / centre);
    if (rel.length === 0) continue;
    rows.push({ key: x.key, lo: Math.min(...rel), hi: Math.max(...rel), candidate: x.candidate / centre, intervalLo: x.interval[0], intervalHi: x.interval[1], verdict: x.verdict });
  }
  return rows.sort((a, b) => ORDER.indexOf(a.verdict) - ORDER.indexOf(b.verdict)).slice(0, MAX_CHART_ROWS);
}

/** The Vega-Lite spec of the band chart, or undefined when no latency comparison has numbers. */
export function compareBandSpec(c: CompareJson): TopLevelSpec | undefined {
  const values = bandRows(c);
  if (values.length === 0) return undefined;
  const y = { field: 'key', type: 'nominal' as const, sort: null, title: null, axis: { labelLimit: 360 } };
  const x = { type: 'quantitative' as const, scale: { zero: false }, title: 'relative to the baselines\' centre (1 = no change)' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: CHART_WIDTH - 380,
    height: { step: 18 },
    config: CONFIG,
    data: { values },
    layer: [
      { mark: { type: 'bar', color: COLORS.phase, height: 12 }, encoding: { y, x: { field: 'lo', ...x }, x2: { field: 'hi' } } },
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, x: { field: 'intervalLo', ...x }, x2: { field: 'intervalHi' }, color: { field: 'verdict', type: 'nominal', scale: { domain: ORDER, range: ORDER.map((v) => VERDICT_COLOR[v]) }, title: 'verdict' } } },
      { mark: { type: 'point', filled: true, size: 50 }, encoding: { y, x: { field: 'candidate', ...x }, color: { field: 'verdict', type: 'nominal', scale: { domain: ORDER, range: ORDER.map((v) => VERDICT_COLOR[v]) }, title: 'verdict' } } },
      { mark: { type: 'rule', color: '#8c959f', strokeDash: [3, 3] }, encoding: { x: { datum: 1, type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

function row(x: Comparison): string {
  const verdict = x.verdict === 'regressed' && !x.gated ? 'regressed (under the minimum)' : x.verdict;
  return `<tr class="${escapeHtml(x.verdict)}" data-verdict="${escapeHtml(x.verdict)}"><td class="code">${escapeHtml(x.key)}</td><td class="num">${escapeHtml(formatValue(x.baseline.center, x.unit))}</td><td class="num">${escapeHtml(formatValue(x.candidate, x.unit))}</td><td class="num">${escapeHtml(changeText(x))}</td><td class="num">${escapeHtml(intervalText(x))}</td><td>${escapeHtml(verdict)}<br><span class="muted">${escapeHtml(x.note)}</span></td></tr>`;
}

/** The section's HTML, given the band chart's rendered SVG (or none). */
export function renderCompareSection(c: CompareJson, chartSvg: string | undefined): string {
  const sorted = [...c.comparisons].sort((a, b) => ORDER.indexOf(a.verdict) - ORDER.indexOf(b.verdict) || Number(b.gated) - Number(a.gated));
  const bases = c.baselines.map((b) => b.id + (b.gitSha ? ` (${b.gitSha.slice(0, 12)})` : '')).join(', ');
  const chart = chartSvg
    ? `<figure class="chart" id="chart-compare" data-compare-chart="band"><figcaption>Candidate against the baselines' band: the grey bar spans the baselines, the dot is this run, the line its 90% interval</figcaption>${chartSvg}</figure>`
    : '<p class="note">No latency comparison has numbers to draw.</p>';
  return [
    `<section id="compare" data-verdict="${escapeHtml(c.verdict)}"><h2>Compared with baseline</h2>`,
    `<p class="sentence"><strong>${escapeHtml(c.verdict)}</strong>: ${escapeHtml(c.reason)}</p>`,
    `<p class="muted">${escapeHtml(`${c.baselines.length} baseline run${c.baselines.length === 1 ? '' : 's'}: ${bases}`)}</p>`,
    chart,
    `<table><thead><tr><th>metric</th><th class="num">baseline</th><th class="num">candidate</th><th class="num">change</th><th class="num">interval (90%)</th><th>verdict</th></tr></thead><tbody>${sorted.map(row).join('')}</tbody></table></section>`,
  ].join('');
}
