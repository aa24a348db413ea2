// The page of a profile that has no HTML of its own (Node's --cpu-prof / --heap-prof, or a profiler that wrote
// nothing): its findings, under the report's CSP, with the data files to open in Chrome DevTools.

import { pageShell } from '../report/html.ts';
import { escapeHtml } from '../report/escape.ts';
import { profileFindingsHtml, profilerSentence } from '../report/profile-section.ts';
import type { ProfileSummary } from './types.ts';

/** Renders the profile's own page (profile/<tool>-findings.html). */
export function renderProfilePage(p: ProfileSummary): string {
  const files = p.data.map((f) => `<li class="code">${escapeHtml(f.replace(/^profile\//, ''))}</li>`).join('');
  const body = [
    `<h1>perfgate profile: ${escapeHtml(p.tool)}</h1>`,
    `<p class="note" data-profiled="true">${escapeHtml(profilerSentence(p))}</p>`,
    profileFindingsHtml(p),
    files ? `<h2>Data</h2><p class="muted">Open these in Chrome DevTools (Performance or Memory tab, Load profile).</p><ul>${files}</ul>` : '',
  ].join('\n');
  return pageShell(`profile: ${p.tool}`, body);
}
