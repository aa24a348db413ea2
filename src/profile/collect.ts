// After the profiled service has stopped: moves what the profiler wrote into the run directory's profile/, waits
// (bounded) for its data files, reads the findings and writes profile/summary.json (and, for Node's own profilers,
// a page of the findings, since they have no HTML of their own).

import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { summarizeCpuProfile, summarizeFlameSamples } from './cpu-summary.ts';
import { summarizeHeapProfile } from './heap-summary.ts';
import { readDoctorDiagnosis } from './doctor-summary.ts';
import { renderProfilePage } from './profile-page.ts';
import { NODE_PROFILER_FLAGS } from './tools.ts';
import type { ProfilerChoice } from './launch.ts';
import { PROFILE_DIR, PROFILE_SUMMARY_FILE, type ProfileSummary } from './types.ts';

/** How long the data files get to appear (and parse) once the service has exited. */
export const DATA_WAIT_MS = 15_000;

/** Polls `find` every 100 ms until it returns a value or the time is spent. */
async function waitFor<T>(find: () => Promise<T | undefined>, deadlineMs: number): Promise<T | undefined> {
  const deadline = Date.now() + deadlineMs;
  for (let i = 0; i < 10_000; i++) {
    const found = await find().catch(() => undefined);
    if (found !== undefined || Date.now() >= deadline) return found;
    await sleep(100);
  }
  return undefined;
}

/** The JSON in a file, or undefined while it is missing, empty or still being written. */
async function readJsonIfComplete(path: string): Promise<unknown> {
  if (!existsSync(path) || (await stat(path)).size === 0) return undefined;
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Entries of a folder whose names match, sorted (missing folder: none). */
async function entries(dir: string, match: (name: string) => boolean): Promise<string[]> {
  return existsSync(dir) ? (await readdir(dir)).filter(match).sort() : [];
}

/** Node's profile files: the main thread's (thread id 0 in `<kind>.<date>.<time>.<pid>.<tid>.<seq>.<ext>`) first. */
function mainThreadFirst(files: string[]): string[] {
  const tid = (f: string) => Number(f.split('.').at(-3) ?? 1);
  return [...files].sort((a, b) => tid(a) - tid(b));
}

/** The web-font stylesheet Clinic's pages load from the internet (the only thing they fetch). */
export const CLINIC_FONTS_URL = 'https://clinicjs.org/assets/css/fonts.css';

/** A Clinic page that works offline: its web-font stylesheet becomes an empty inline one (the system fonts show). */
export function offlineClinicHtml(html: string): string {
  return html.split(CLINIC_FONTS_URL).join('data:text/css,');
}

/** Findings of a Clinic tool's data in profileDir (`<id>.clinic-<tool>` and its HTML). */
async function clinicFindings(choice: ProfilerChoice, profileDir: string, summary: ProfileSummary): Promise<void> {
  const suffix = `.clinic-${choice.tool}`;
  const html = await waitFor(async () => (await entries(profileDir, (n) => n.endsWith(`${suffix}.html`)))[0], DATA_WAIT_MS);
  if (html) {
    summary.html = `${PROFILE_DIR}/${html}`;
    const path = join(profileDir, html);
    await writeFile(path, offlineClinicHtml(await readFile(path, 'utf8')), 'utf8');
  }
  const data = (await entries(profileDir, (n) => n.endsWith(suffix)))[0];
  if (!data) throw new Error(`Clinic ${choice.tool} wrote no data`);
  summary.data = [`${PROFILE_DIR}/${data}`];
  const path = join(profileDir, data);
  if (choice.tool === 'doctor') summary.doctor = await readDoctorDiagnosis(path);
  else if (choice.tool === 'flame') {
    const samples = (await entries(path, (n) => n.endsWith('-samples')))[0];
    const parsed = samples ? await waitFor(() => readJsonIfComplete(join(path, samples)), DATA_WAIT_MS) : undefined;
    if (parsed === undefined) throw new Error('Clinic flame wrote no samples');
    const { functions, total } = summarizeFlameSamples(parsed);
    summary.hotFunctions = functions;
    summary.total = total;
  } else if (choice.tool === 'heapprofiler') {
    const parsed = await waitFor(() => readJsonIfComplete(path), DATA_WAIT_MS);
    if (parsed === undefined) throw new Error('Clinic heapprofiler wrote an empty profile: the service exited before the profiler had written it (it must not call process.exit on SIGINT at once)');
    const { sites, total } = summarizeHeapProfile(parsed);
    summary.allocations = sites;
    summary.total = total;
  } else throw new Error(`no summary for Clinic ${choice.tool}`);
}

/** Findings of Node's own --cpu-prof / --heap-prof files in profileDir, and the page that shows them. */
async function nodeFindings(choice: ProfilerChoice, profileDir: string, summary: ProfileSummary): Promise<void> {
  const ext = NODE_PROFILER_FLAGS[choice.tool]!.ext;
  const found = await waitFor(async () => {
    for (const f of mainThreadFirst(await entries(profileDir, (n) => n.endsWith(ext)))) {
      const parsed = await readJsonIfComplete(join(profileDir, f));
      if (parsed !== undefined) return { file: f, parsed };
    }
    return undefined;
  }, DATA_WAIT_MS);
  if (!found) throw new Error(`Node's ${NODE_PROFILER_FLAGS[choice.tool]!.flag} wrote no ${ext} file: the service did not exit normally (a signal that kills it loses the profile)`);
  summary.data = (await entries(profileDir, (n) => n.endsWith(ext))).map((f) => `${PROFILE_DIR}/${f}`);
  if (choice.tool === 'flame') {
    const { functions, total } = summarizeCpuProfile(found.parsed);
    summary.hotFunctions = functions;
    summary.total = total;
  } else {
    const { sites, total } = summarizeHeapProfile(found.parsed);
    summary.allocations = sites;
    summary.total = total;
  }
}

/**
 * Collects a profile into `<runDir>/profile/` and writes its summary.json; never throws: a profiler that wrote
 * nothing gives a summary with `error`.
 * stage dir -> copy into profile/ -> wait for the data -> findings (Clinic's data, or Node's profile) -> [page] -> summary.json
 */
export async function collectProfile(choice: ProfilerChoice, stageDir: string, runDir: string): Promise<ProfileSummary> {
  const profileDir = join(runDir, PROFILE_DIR);
  await mkdir(profileDir, { recursive: true });
  const summary: ProfileSummary = { tool: choice.tool, method: choice.method, data: [] };
  try {
    if (existsSync(stageDir)) await cp(stageDir, profileDir, { recursive: true });
    if (choice.method === 'clinic') await clinicFindings(choice, profileDir, summary);
    else await nodeFindings(choice, profileDir, summary);
  } catch (err) {
    summary.error = (err as Error).message;
  }
  if (choice.method === 'node' || !summary.html) {
    const page = `${choice.tool}-findings.html`;
    await writeFile(join(profileDir, page), renderProfilePage(summary), 'utf8');
    summary.html = `${PROFILE_DIR}/${page}`;
  }
  await writeFile(join(profileDir, PROFILE_SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`, 'utf8');
  await rm(stageDir, { recursive: true, force: true });
  return summary;
}
