#!/usr/bin/env -S npx tsx
// Runs every shipped scenario and drill at the given profiles, each on a fresh lab (loopback only, each run bounded
// by its profile and a timeout), and prints one Markdown row per run: the verdict, the tightest threshold and its
// margin, and every gated window marked "few samples".
// Usage: npx tsx scripts/scenario-matrix.ts [--profiles smoke,ci] [--only baseline,stress] [--keep]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { VerdictEntry } from '../src/results/format.ts';
import { fmtUnit } from '../src/report/format-values.ts';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'perfgate.js');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const profiles = arg('profiles', 'smoke,ci').split(',');
const only = arg('only', '').split(',').filter(Boolean);
const work = mkdtempSync(join(tmpdir(), 'perfgate-matrix-'));

/** The shipped scenario files: scenarios/*.ts and scenarios/drills/*.ts, without the shared modules. */
function shippedScenarios(): string[] {
  const shared = new Set(['journeys.ts', 'slos.ts', 'drill-kit.ts']);
  const list = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts') && !shared.has(f)).map((f) => join(dir, f));
  return [...list('scenarios'), ...list('scenarios/drills')].filter((f) => !only.length || only.some((o) => f.endsWith(`/${o}.ts`)));
}

interface Verdict { status: string; exitCode: number; thresholds: VerdictEntry[]; reason?: string }

/** One Markdown row for a run directory's verdict. */
function row(file: string, profile: string, exit: number | null, seconds: number, v: Verdict | undefined): string {
  const name = file.replace(/^scenarios\//, '').replace(/\.ts$/, '');
  if (!v) return `| ${name} | ${profile} | no verdict (exit ${exit}) | | | ${seconds.toFixed(0)} s |`;
  const gated = v.thresholds.filter((t) => t.marginPct !== undefined && t.marginPct !== null);
  const tight = [...gated].sort((a, b) => (a.marginPct ?? 0) - (b.marginPct ?? 0))[0];
  const tightText = tight ? `\`${tight.key} ${tight.expression}\` ${fmtUnit(tight.observed, tight.unit, true)} (${(tight.marginPct ?? 0).toFixed(1)}%)` : '-';
  const few = v.thresholds.filter((t) => t.fewSamples).map((t) => `\`${t.key}\` (${t.samples})`).join(', ') || '-';
  const failed = v.thresholds.filter((t) => !t.pass).map((t) => `\`${t.key} ${t.expression}\``).join(', ');
  return `| ${name} | ${profile} | ${v.status.toUpperCase()} (exit ${exit})${failed ? `: ${failed}` : ''} | ${tightText} | ${few} | ${seconds.toFixed(0)} s |`;
}


function main(): void {
  // for each profile, each scenario: fresh lab run -> verdict.json -> Markdown row
  const load0 = loadavg();
  const t0 = Date.now();
  const rows = ['| scenario | profile | verdict | tightest threshold (margin) | windows with few samples | time |', '|---|---|---|---|---|---|'];
  for (const profile of profiles) {
    for (const file of shippedScenarios()) {
      const out = join(work, `${file.replace(/[/.]/g, '-')}-${profile}`);
      const t = Date.now();
      const r = spawnSync(process.execPath, [bin, 'run', file, '--profile', profile, '--lab', '--no-report', '--quiet', '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], timeout: 900_000 });
      let v: Verdict | undefined;
      try { v = JSON.parse(readFileSync(join(out, 'verdict.json'), 'utf8')) as Verdict; } catch { v = undefined; }
      const line = row(file, profile, r.status, (Date.now() - t) / 1000, v);
      rows.push(line);
      console.error(line);
      if (!v) console.error(r.stderr.toString().slice(-2000));
    }
  }
  const load1 = loadavg();
  console.log(`${((Date.now() - t0) / 60_000).toFixed(1)} min; load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}, at end ${load1.map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log(rows.join('\n'));
}

try {
  main();
} finally {
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
  else console.log(`runs kept in ${work}`);
}
