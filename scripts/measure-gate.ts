#!/usr/bin/env -S npx tsx
// Measures the regression gate on real runs of the lab (loopback only, each run bounded by its profile and a timeout):
// 5 baseline runs and 10 same-build candidates of the baseline scenario, 10 candidates with one endpoint 1.3x slower
// as the client sees it (SLOW_ROUTE with a fixed delay of 0.3 x the baselines' client p95 of that endpoint, so its p95
// moves by 1.3x) and one with the database 1.5x slower (SLOW_DB_FACTOR); each candidate compared with the 5 baselines.
// Prints the tables as Markdown. Usage: npx tsx scripts/measure-gate.ts [--profile smoke] [--runs 10] [--keep]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompareJson } from '../src/compare/types.ts';

const root = resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const profile = arg('profile', 'smoke');
const runs = Math.min(20, Math.max(1, Number(arg('runs', '10'))));
const SLOW_ROUTE = 'GET /api/v1/companies/:ticker';
const SLOW_NAME = 'company';
const SLOW_FACTOR = 1.3;
const work = mkdtempSync(join(tmpdir(), 'perfgate-measure-'));
const bin = join(root, 'bin', 'perfgate.js');
// The scenario's data files are named relative to it.
symlinkSync(join(root, 'fixtures'), join(work, 'fixtures'));

/** A scenario file: the bundled baseline scenario with the target's environment set. */
function scenarioFile(label: string, targetEnv: Record<string, string>): string {
  const file = join(work, `${label}.ts`);
  const base = pathToFileURL(join(root, 'scenarios', 'baseline.ts')).href;
  writeFileSync(file, `import base from ${JSON.stringify(base)};\nexport default { ...base, lab: { ...(base.lab ?? {}), targetEnv: ${JSON.stringify(targetEnv)} } };\n`);
  return file;
}

/** Runs up to 3 times until the run completes (a saturated generator on a busy machine makes a run invalid). */
let retried = 0;
function run(file: string, out: string): void {
  for (let attempt = 1; ; attempt++) {
    rmSync(out, { recursive: true, force: true });
    const r = spawnSync(process.execPath, [bin, 'run', file, '--profile', profile, '--lab', '--no-report', '--quiet', '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
    const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { status: string; statusReason?: string };
    if (json.status === 'completed') return;
    if (attempt >= 3) throw new Error(`${out}: run ${json.status} (exit ${r.status}): ${json.statusReason ?? ''}`);
    retried++;
  }
}

function compare(bases: string[], cand: string): CompareJson {
  const out = join(cand, 'compare');
  spawnSync(process.execPath, [bin, 'compare', ...bases, cand, '--out', out], { cwd: root, stdio: 'ignore', timeout: 120_000 });
  return JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as CompareJson;
}

/** The machine's state during the candidate, as compare.json has it: the generator's CPU per request against the baselines', and other processes' CPU. */
const machine = (r: CompareJson) => {
  const speed = r.method.machineSpeed;
  const busy = r.method.neighbourCpu;
  return `${speed ? `gen x${speed.ratio.toFixed(2)}${speed.slower ? ' (slower)' : ''}` : 'gen ?'}, others ${busy ? `${Math.round(busy.candidate * 100)}%${busy.busier ? ' (busier)' : ''}` : '?'}`;
};

const regressedNames = (r: CompareJson) => new Set(r.comparisons.filter((c) => c.verdict === 'regressed' && c.metric === 'http_req_duration').map((c) => c.name ?? '(whole run)'));

function main(): void {
  // lab runs (baselines, same-build, slow endpoint, slow database) -> compare each candidate with the 5 baselines -> tables
  const load0 = loadavg();
  const t0 = Date.now();
  const same = scenarioFile('same', {});
  const db = scenarioFile('db', { SLOW_DB_FACTOR: '1.5' });
  const bases = Array.from({ length: 5 }, (_, i) => join(work, `base-${i}`));
  for (const b of bases) run(same, b);
  const rows: string[] = ['| candidate | verdict | regressed comparisons | regressed latency names | machine |', '|---|---|---|---|---|'];
  const nameCount = new Map<string, number>();
  let sameRegressed = 0;
  let basePctMs: number | null = null;
  for (let i = 0; i < runs; i++) {
    const c = join(work, `same-${i}`);
    run(same, c);
    const r = compare(bases, c);
    basePctMs ??= r.comparisons.find((x) => x.key === `http_req_duration{name:${SLOW_NAME}} p(95)`)?.baseline.center ?? null;
    if (r.verdict === 'regressed') sameRegressed++;
    const reg = r.comparisons.filter((x) => x.verdict === 'regressed').map((x) => x.key);
    rows.push(`| same-build ${i + 1} | ${r.verdict} | ${reg.length ? reg.join(', ') : '-'} | | ${machine(r)} |`);
    console.error(rows.at(-1));
  }
  if (basePctMs === null) throw new Error(`the baselines hold no p(95) for ${SLOW_NAME}`);
  const addMs = +((SLOW_FACTOR - 1) * basePctMs).toFixed(2);
  const slow = scenarioFile('slow', { SLOW_ROUTE: `${SLOW_ROUTE}+${addMs}ms` });
  console.error(`${SLOW_NAME}: baselines' p(95) ${basePctMs.toFixed(2)} ms, so ${SLOW_FACTOR}x at the client is ${addMs} ms added to each response`);
  for (let i = 0; i < runs; i++) {
    const c = join(work, `slow-${i}`);
    run(slow, c);
    const r = compare(bases, c);
    const names = regressedNames(r);
    for (const n of names) nameCount.set(n, (nameCount.get(n) ?? 0) + 1);
    const p95 = r.comparisons.find((x) => x.key === `http_req_duration{name:${SLOW_NAME}} p(95)`);
    rows.push(`| ${SLOW_NAME} 1.3x ${i + 1} | ${r.verdict} | p95 ${p95?.verdict} (${p95?.ratio ? `x${p95.ratio.toFixed(2)}` : "no ratio: too few samples"}) | ${[...names].join(', ') || '-'} | ${machine(r)} |`);
    console.error(rows.at(-1));
  }
  const c = join(work, 'db');
  let r: CompareJson;
  try {
    run(db, c);
    r = compare(bases, c);
  } catch (err) {
    // A busy machine can make every attempt invalid: report the tables measured so far rather than lose them.
    console.log(rows.join('\n'));
    console.log(`\nsame-build: ${sameRegressed} of ${runs} overall regressed\ndatabase 1.5x: not measured (${(err as Error).message})`);
    return;
  }
  const dbRows = r.comparisons.filter((x) => x.metric === 'db_query_duration').map((x) => `| ${x.key} | x${x.ratio?.toFixed(2)} | ${x.interval?.map((v) => v.toFixed(2)).join(' … ')} | ${x.verdict} |`);
  const load1 = loadavg();
  console.log(`profile ${profile}, ${runs} candidates per case, ${retried} runs repeated after an invalid end, ${((Date.now() - t0) / 60_000).toFixed(1)} min; load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}, at end ${load1.map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log(rows.join('\n'));
  console.log(`\nsame-build: ${sameRegressed} of ${runs} overall regressed`);
  console.log(`${SLOW_NAME} 1.3x at the client: ${addMs} ms added (baselines' p(95) ${basePctMs.toFixed(2)} ms)`);
  console.log(`${SLOW_NAME} 1.3x: latency regressed by name over ${runs}: ${[...nameCount].map(([n, k]) => `${n} ${k}`).join(', ')}`);
  console.log(`\ndatabase 1.5x: overall ${r.verdict}\n| comparison | ratio | 90% interval | verdict |\n|---|---|---|---|\n${dbRows.join('\n')}`);
}

try {
  main();
} finally {
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
  else console.log(`runs kept in ${work}`);
}
