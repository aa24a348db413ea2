// The regression gate's outputs for people and CI: compare.md (rows that read well as a pull-request comment) and a
// JUnit test case per gated comparison. Pure: compare.json in, text out; every run string escaped.

import { mdCode, mdEscape } from '../report/markdown.ts';
import { xmlEscape } from '../report/junit.ts';
import { formatValue } from '../report/format-values.ts';
import type { Comparison, CompareJson, CompareVerdict } from './types.ts';

const MARK: Record<CompareVerdict, string> = {
  regressed: '❌ regressed',
  improved: '✅ improved',
  unchanged: '➖ unchanged',
  inconclusive: '⚠️ inconclusive',
};

const signedPct = (r: number) => `${r >= 1 ? '+' : '−'}${Number((Math.abs(r - 1) * 100).toPrecision(2))}%`;

/** The change of a comparison as a signed percentage, or "—". */
export function changeText(c: Comparison): string {
  if (c.ratio !== null && Number.isFinite(c.ratio)) return signedPct(c.ratio);
  if (c.unit === 'ratio' && c.candidate !== null && c.baseline.center !== null) {
    const pp = (c.candidate - c.baseline.center) * 100;
    return `${pp >= 0 ? '+' : '−'}${Number(Math.abs(pp).toPrecision(2))} pp`;
  }
  return '—';
}

/** The 90% interval of the change, as "−3% … +8%", or "—". */
export function intervalText(c: Comparison): string {
  if (!c.interval) return '—';
  const [lo, hi] = c.interval;
  const f = (r: number) => (Number.isFinite(r) ? signedPct(r) : '+∞');
  return `${f(lo)} … ${f(hi)}`;
}

function verdictCell(c: Comparison): string {
  if (c.verdict === 'regressed' && !c.gated) return `${MARK.regressed} (under the minimum)`;
  return MARK[c.verdict];
}

function row(c: Comparison): string {
  const mde = c.minDetectableEffect === null ? '—' : `≥ ${Number((c.minDetectableEffect * 100).toPrecision(2))}%`;
  return `| ${mdCode(c.key)} | ${formatValue(c.baseline.center, c.unit)} | ${formatValue(c.candidate, c.unit)} | ${changeText(c)} | ${intervalText(c)} | ${mde} | ${verdictCell(c)} |`;
}

const ORDER: CompareVerdict[] = ['regressed', 'inconclusive', 'improved', 'unchanged'];

/** compare.md: the overall verdict, a table of the comparisons that need a look, the rest folded away, and the notes. */
export function renderCompareMarkdown(r: CompareJson): string {
  const head = '| metric | baseline | candidate | change | interval (90%) | could detect | verdict |\n| --- | --- | --- | --- | --- | --- | --- |';
  const sorted = [...r.comparisons].sort((a, b) => ORDER.indexOf(a.verdict) - ORDER.indexOf(b.verdict) || Number(b.gated) - Number(a.gated));
  const shown = sorted.filter((c) => c.verdict !== 'unchanged');
  const folded = sorted.filter((c) => c.verdict === 'unchanged');
  const who = (x: CompareJson['candidate']) => `${mdCode(x.id)}${x.gitSha ? ` (${mdCode(x.gitSha.slice(0, 12))}${x.gitBranch ? ` on ${mdCode(x.gitBranch)}` : ''})` : ''}`;
  const spread = r.method.runToRunSpread;
  const method = r.method.mode === 'prediction-interval'
    ? `prediction interval of ${r.baselines.length} baselines`
    : `one baseline, within-run bootstrap widened by a run-to-run spread ${spread?.source === 'learnt' ? `learnt from ${spread.runs} same-build runs` : `of ${Number(((spread?.value ?? 0) * 100).toPrecision(2))}% (default, an assumption: add baselines)`}`;
  const lines = [
    `### Compared with baseline: ${MARK[r.verdict]}`,
    '',
    `${mdEscape(r.reason)}.`,
    '',
    `Candidate ${who(r.candidate)} against ${r.baselines.map(who).join(', ')}; ${mdEscape(method)}; 5% per side with adaptive Benjamini–Hochberg over ${r.comparisons.length} comparisons; minimum effect ${Number((r.method.minEffect * 100).toPrecision(3))}%.`,
    '',
  ];
  const busy = r.method.neighbourCpu;
  if (busy?.busier) lines.push(`**The machine was busier during the candidate:** other processes used ${Math.round(busy.candidate * 100)}% of its CPU (at most ${Math.round(Math.max(...busy.baselines.filter((b): b is number => b !== null)) * 100)}% during the baselines), so its latency regressions are inconclusive.`, '');
  const speed = r.method.machineSpeed;
  if (speed?.slower) lines.push(`**The machine ran slower during the candidate:** the load generator needed ${speed.ratio.toFixed(2)}x the CPU per request of the baselines (the bound is ${speed.boundRatio.toFixed(2)}x), so its latency regressions are inconclusive.`, '');
  if (shown.length) lines.push(head, ...shown.map(row), '');
  if (folded.length) lines.push(`<details><summary>${folded.length} unchanged</summary>`, '', head, ...folded.map(row), '', '</details>', '');
  const notes = shown.filter((c) => c.note);
  if (notes.length) lines.push(...notes.map((c) => `- ${mdCode(c.key)}: ${mdEscape(c.note)}`), '');
  return lines.join('\n');
}

const attrs = (a: Record<string, string | number>): string => Object.entries(a).map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join('');

/** compare-junit.xml: one test case per comparison; a gated regression fails, and an inconclusive one with --fail-on-inconclusive. */
export function renderCompareJunit(r: CompareJson): string {
  let failures = 0;
  const cases = r.comparisons.map((c) => {
    const text = `${c.verdict}: change ${changeText(c)} (90% ${intervalText(c)}), baseline ${formatValue(c.baseline.center, c.unit)}, candidate ${formatValue(c.candidate, c.unit)}; ${c.note}`;
    const fails = c.gated || (r.method.failOnInconclusive && c.verdict === 'inconclusive');
    if (fails) failures++;
    const inner = fails
      ? `      <failure${attrs({ message: text, type: c.gated ? 'Regressed' : 'Inconclusive' })}/>`
      : `      <system-out>${xmlEscape(text)}</system-out>`;
    return `    <testcase${attrs({ classname: `compare.${c.metric}${c.name === undefined ? '' : `{name:${c.name}}`}`, name: c.stat, time: '0' })}>\n${inner}\n    </testcase>`;
  });
  const counts = { tests: cases.length, failures, errors: 0, skipped: 0 };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'perfgate compare', ...counts })}>`,
    `  <testsuite${attrs({ name: `perfgate compare ${r.candidate.scenario} (${r.candidate.profile})`, ...counts })}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
