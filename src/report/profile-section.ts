// The report's "Profile" section (HTML and Markdown) from profile/summary.json: which profiler, a link to its page
// (a separate file: the report's CSP and self-containment are unchanged), and the findings read from its data.
// Pure: the summary in, text out; every string escaped.

import type { ProfileSummary } from '../profile/types.ts';
import { escapeHtml, mdCode, mdEscape } from './escape.ts';
import { fmtCount, fmtPct } from './format-values.ts';

/** Bytes in B, KiB or MiB, three significant digits. */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Number((n / 1024).toPrecision(3))} KiB`;
  return `${Number((n / (1024 * 1024)).toPrecision(3))} MiB`;
}

/** Who collected the profile, in one sentence, and why a profiled run is no baseline. */
export function profilerSentence(p: ProfileSummary): string {
  const who = p.method === 'clinic' ? `Clinic.js ${p.tool}` : `Node's own ${p.tool === 'flame' ? '--cpu-prof' : '--heap-prof'}, standing in for Clinic ${p.tool}`;
  return `This run was profiled with ${who}, for the whole load. Profiling costs throughput, so the run is marked profiled and is never a baseline for perfgate compare.`;
}

/** The findings as table rows: [function, file:line, amount, share] per line. */
function findingRows(p: ProfileSummary): { kind: string; head: [string, string, string, string]; rows: string[][] } | undefined {
  if (p.hotFunctions) {
    return {
      kind: 'hot-functions',
      head: ['function', 'file:line', 'self samples', 'share of samples'],
      rows: p.hotFunctions.map((f) => [f.name, f.location, fmtCount(f.samples), fmtPct(f.share)]),
    };
  }
  if (p.allocations) {
    return {
      kind: 'allocation-sites',
      head: ['function', 'file:line', 'sampled bytes', 'share of bytes'],
      rows: p.allocations.map((s) => [s.name, s.location, fmtBytes(s.bytes), fmtPct(s.share)]),
    };
  }
  return undefined;
}

/** What the findings are, in one line. */
function findingsIntro(p: ProfileSummary): string {
  if (p.hotFunctions) return `The functions with the most self time (the innermost JavaScript frame of a sample), of ${fmtCount(p.total ?? 0)} samples:`;
  if (p.allocations) return `The allocation sites with the most sampled bytes, of ${fmtBytes(p.total ?? 0)} sampled:`;
  return '';
}

/** The findings alone (no heading), as HTML: for the report and for the page of Node's own profiles. */
export function profileFindingsHtml(p: ProfileSummary): string {
  const parts: string[] = [];
  if (p.error) parts.push(`<p class="note" data-profile-error>No findings: ${escapeHtml(p.error)}.</p>`);
  if (p.doctor) {
    const d = p.doctor;
    parts.push(`<p data-doctor-category="${escapeHtml(d.category)}"><strong>${escapeHtml(d.title)}</strong></p>`);
    if (d.recommendation.length) parts.push(`<ul class="causes" data-doctor-recommendation>${d.recommendation.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`);
    const rows = d.checks.map((c) => `<tr><td>${escapeHtml(c.name)}</td><td>${escapeHtml(c.result === 'performance' ? 'an issue' : c.result === 'data' ? 'too little data' : 'no issue')}</td></tr>`);
    parts.push(`<table data-profile-findings="doctor-checks"><thead><tr><th>doctor checked</th><th>found</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }
  const t = findingRows(p);
  if (t) {
    const body = t.rows.map((r, i) => `<tr><td class="num">${i + 1}</td><td class="code">${escapeHtml(r[0])}</td><td class="code">${escapeHtml(r[1])}</td><td class="num">${escapeHtml(r[2])}</td><td class="num">${escapeHtml(r[3])}</td></tr>`);
    parts.push(`<p>${escapeHtml(findingsIntro(p))}</p><table data-profile-findings="${escapeHtml(t.kind)}"><thead><tr><th class="num">#</th>${t.head.map((h, i) => `<th${i >= 2 ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`);
  }
  return parts.join('');
}

/** The report's Profile section, or '' for a run that was not profiled. */
export function profileSectionHtml(p: ProfileSummary | undefined): string {
  if (!p) return '';
  const link = p.html ? `<p><a href="${escapeHtml(p.html)}" data-profile-link>Open the profile</a> <span class="muted">(${escapeHtml(p.html)}, a separate page)</span></p>` : '';
  return `<h2 id="profile">Profile</h2><p class="note" data-profiled="true">${escapeHtml(profilerSentence(p))}</p>${link}${profileFindingsHtml(p)}`;
}

/** The Profile section of summary.md, or [] for a run that was not profiled. */
export function profileSectionMarkdown(p: ProfileSummary | undefined): string[] {
  if (!p) return [];
  const lines = ['**Profile**', '', mdEscape(profilerSentence(p)), ''];
  if (p.html) lines.push(`Profile: [${mdEscape(p.html)}](${encodeURI(p.html).replace(/[()]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`)})`, '');
  if (p.error) lines.push(`No findings: ${mdEscape(p.error)}.`, '');
  if (p.doctor) {
    lines.push(`**${mdEscape(p.doctor.title)}**`, '');
    for (const l of p.doctor.recommendation) lines.push(`- ${mdEscape(l)}`);
    lines.push('');
  }
  const t = findingRows(p);
  if (t) {
    lines.push(mdEscape(findingsIntro(p)), '', `| # | ${t.head.join(' | ')} |`, '|---|---|---|---|---|');
    t.rows.forEach((r, i) => lines.push(`| ${i + 1} | ${mdCode(r[0]!)} | ${mdCode(r[1]!)} | ${mdEscape(r[2]!)} | ${mdEscape(r[3]!)} |`));
    lines.push('');
  }
  return lines;
}
