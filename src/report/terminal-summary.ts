// The end-of-run table a k6 user expects on the terminal: the key client metrics, the thresholds with ✓/✗, and the
// server metrics that were gated. Pure: summary.json and verdict.json in, text out (the caller prints it).

import type { SummaryJson, SummaryMetric, VerdictEntry, VerdictJson } from '../results/format.ts';
import { fmtCount, fmtPct, fmtRate, fmtUnit } from './format-values.ts';
import { fewSamplesText } from '../slo/verdict.ts';

/** The trend statistics shown, in k6's order. */
const TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'] as const;
/** The client metrics shown, in this order, when present. */
const CLIENT_METRICS = ['http_req_duration', 'http_req_failed', 'http_reqs', 'iteration_duration', 'iterations', 'dropped_iterations', 'checks', 'data_received', 'data_sent', 'vus'];
/** Width of the dotted name column. */
const NAME_WIDTH = 34;

/** A metric's name padded with dots, k6's way: `http_reqs..........: `. */
function label(name: string, indent: number): string {
  const pad = ' '.repeat(indent);
  const room = NAME_WIDTH - indent;
  return `${pad}${name.length >= room ? `${name} ` : `${name}${'.'.repeat(room - name.length)}`}: `;
}

/** A trend in its unit: `avg=12.3 ms min=... count=1,234`. */
function trendText(m: SummaryMetric, unit: string): string {
  const v = m.values;
  const stats = TREND_STATS.filter((s) => v[s] !== undefined).map((s) => `${s}=${fmtUnit(v[s], unit).replace(' ', '')}`);
  return [...stats, ...(v.count !== undefined ? [`count=${fmtCount(v.count)}`] : [])].join(' ');
}

/** One metric's value column, by its type. */
function valueText(name: string, m: SummaryMetric): string {
  const v = m.values;
  const unit = m.contains === 'time' ? 'ms' : name.endsWith('_utilization') || name.endsWith('_ratio') ? 'ratio' : '';
  switch (m.type) {
    case 'trend': return trendText(m, unit || 'ms');
    case 'rate': return `${fmtPct(v.rate)}  ${fmtCount(v.passes)} of ${fmtCount((v.passes ?? 0) + (v.fails ?? 0))}`;
    case 'counter': return m.contains === 'data' ? `${fmtUnit(v.count, 'bytes')}  ${fmtUnit(v.rate, 'bytes')}/s` : `${fmtCount(v.count)}  ${fmtRate(v.rate)}`;
    case 'gauge': {
      const f = (x: number | undefined) => fmtUnit(x, unit || 'count', unit === 'ratio').replace(' ', '');
      return ['value', 'min', 'p(95)', 'max'].filter((k) => v[k] !== undefined).map((k) => `${k}=${f(v[k])}`).join(' ');
    }
    default: return '';
  }
}

/** A threshold's line: ✓ or ✗, the key and expression, the observed value, the limit and its margin. */
function thresholdLine(e: VerdictEntry): string {
  const mark = e.observed === null ? '?' : e.pass ? '✓' : '✗';
  const margin = e.marginPct === null ? '' : `, ${e.marginPct >= 0 ? '+' : ''}${e.marginPct.toFixed(1)}% of the limit`;
  const few = e.fewSamples ? `; ${fewSamplesText(e)}` : '';
  const samples = e.samples === undefined ? '' : `, ${fmtCount(e.samples)} samples`;
  return `    ${mark} ${e.key} ${e.expression}  ${fmtUnit(e.observed, e.unit, true)} (limit ${fmtUnit(e.limit, e.unit, true)}${margin}${samples}${few})`;
}

/** Whether a summary key is a client metric (or one of its sub-metrics). */
function isClient(key: string): boolean {
  return CLIENT_METRICS.includes(key.replace(/\{.*$/, ''));
}

/** The table: client metrics (and the sub-metrics thresholds name), thresholds, the gated server metrics. */
export function terminalSummary(summary: SummaryJson, verdict: VerdictJson | undefined): string {
  // summary.metrics -> CLIENT rows (+ thresholded sub-metrics) -> THRESHOLDS (verdict) -> SERVER rows of gated metrics
  const entries = verdict?.thresholds ?? [];
  const gatedKeys = new Set(entries.map((e) => e.key));
  const lines: string[] = ['', '  CLIENT'];
  for (const name of CLIENT_METRICS) {
    const m = summary.metrics[name];
    if (!m) continue;
    lines.push(`${label(name, 4)}${valueText(name, m)}`);
    for (const key of Object.keys(summary.metrics).filter((k) => k.startsWith(`${name}{`) && gatedKeys.has(k)).sort()) {
      lines.push(`${label(key.slice(name.length), 6)}${valueText(name, summary.metrics[key]!)}`);
    }
  }
  if (entries.length) {
    lines.push('', '  THRESHOLDS');
    for (const e of entries) lines.push(thresholdLine(e));
  }
  const server = [...gatedKeys].filter((k) => !isClient(k) && summary.metrics[k]).sort();
  if (server.length) {
    lines.push('', '  SERVER (gated)');
    for (const key of server) lines.push(`${label(key, 4)}${valueText(key.replace(/\{.*$/, ''), summary.metrics[key]!)}`);
  }
  return `${lines.join('\n')}\n`;
}
