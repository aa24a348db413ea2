// `perfgate check <run-dir>`: re-evaluates a stored run's thresholds (its own, or a stricter file's), writes
// verdict.json, summary.json, junit.xml and summary.md to --out or a check-<time>/ folder inside the run (into the run
// itself only when it has no verdict yet), and exits with the verdict's code. The run's own verdict is never rewritten.

import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { tsImport } from 'tsx/esm/api';
import { ConfigError, RunDirError } from '../../errors.ts';
import { RUN_FILES, type VerdictJson } from '../../results/format.ts';
import { runStamp } from '../../results/run-dir-writer.ts';
import { checkRunDir } from '../../run/check-run-dir.ts';
import type { ThresholdInput } from '../../slo/grammar.ts';
import { entryNotes, statusWord } from '../../slo/verdict.ts';
import { formatValue } from '../../report/format-values.ts';

/** The flags of `perfgate check`. */
export interface CheckFlags {
  thresholds?: string;
  out?: string;
  failOnAlerts?: boolean;
  json?: boolean;
}

/** Loads a thresholds file: .json, or a module whose default export is the thresholds (or { thresholds }). */
export async function loadThresholdsFile(path: string): Promise<Record<string, ThresholdInput[]>> {
  const fail = (message: string): never => {
    throw new ConfigError([{ path: '--thresholds', message }], 'invalid thresholds file');
  };
  const abs = resolve(path);
  let value: unknown;
  if (extname(abs) === '.json') {
    let text = '';
    try {
      text = await readFile(abs, 'utf8');
    } catch (err) {
      fail(`cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    try {
      value = JSON.parse(text);
    } catch (err) {
      fail(`"${path}" is not valid JSON: ${(err as Error).message}`);
    }
  } else if (['.ts', '.mts', '.js', '.mjs'].includes(extname(abs))) {
    try {
      // tsImport loads TypeScript wherever the file lives (a .ts outside an ESM package reads as CommonJS).
      value = ((await tsImport(pathToFileURL(abs).href, import.meta.url)) as { default?: unknown }).default;
      if (value && typeof value === 'object' && 'default' in value) value = (value as { default: unknown }).default;
    } catch (err) {
      fail(`"${path}" failed to load: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
    }
    if (value === undefined) fail(`"${path}" has no default export (write: export default { http_req_duration: ['p(95)<200'] })`);
  } else {
    fail(`"${path}" must be .json, or .ts/.js exporting the thresholds as default`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`"${path}" must hold an object of metric keys to lists of expressions`);
  const obj = value as Record<string, unknown>;
  const nested = obj.thresholds;
  return (nested && typeof nested === 'object' && !Array.isArray(nested) ? nested : obj) as Record<string, ThresholdInput[]>;
}

/** The verdict for a terminal: the status line, one line per threshold, the alerts that would have fired. */
export function formatVerdictText(verdict: VerdictJson): string {
  const lines = [`${statusWord(verdict.status)} (exit ${verdict.exitCode}): ${verdict.reason ?? ''}`];
  for (const e of verdict.thresholds) {
    const observed = e.observed === null ? (e.note ?? 'no data') : formatValue(e.observed, e.unit);
    const notes = entryNotes(e, { note: e.observed !== null });
    lines.push(`  ${e.pass ? '✓' : '✗'} ${e.key} ${e.expression}  ${observed}${notes ? `  (${notes})` : ''}`);
  }
  for (const a of verdict.alerts.filter((x) => x.fired)) {
    lines.push(`  ! ${a.severity} ${a.description}: would have fired at ${Math.round((a.firstAtMs ?? 0) / 1000)} s`);
  }
  return `${lines.join('\n')}\n`;
}

/** `check-<YYYYMMDD-HHMMSS>` inside the run directory, made unique with `-2`, `-3`... */
export function freshCheckDir(runDir: string, now: Date): string {
  const base = join(runDir, `check-${runStamp(now)}`);
  let out = base;
  for (let i = 2; existsSync(out); i++) out = `${base}-${i}`;
  return out;
}

/**
 * Where `perfgate check` writes: the run directory itself only when it has no verdict.json yet (a run killed before
 * its verdict) and no what-if flag was given; otherwise --out, or a fresh check-<time>/ folder inside the run. A
 * verdict is never overwritten: an --out that is the run itself, or another run directory, is refused.
 */
export function checkOutDir(runDir: string, flags: CheckFlags, now: Date): string {
  const dir = resolve(runDir);
  if (!existsSync(join(dir, RUN_FILES.run))) throw new RunDirError(`${runDir} is not a run directory (no ${RUN_FILES.run})`);
  if (flags.out !== undefined) {
    const out = resolve(flags.out);
    if (out === dir) throw new ConfigError([{ path: '--out', message: `is the run directory itself; a check never overwrites the run's verdict (leave --out out for a check-<time>/ folder)` }], 'invalid arguments');
    if (existsSync(join(out, RUN_FILES.run))) throw new ConfigError([{ path: '--out', message: `"${flags.out}" is a run directory; its verdict is not overwritten` }], 'invalid arguments');
    return out;
  }
  const whatIf = flags.thresholds !== undefined || flags.failOnAlerts === true;
  if (!whatIf && !existsSync(join(dir, RUN_FILES.verdict))) return dir;
  return freshCheckDir(dir, now);
}

/** Runs `perfgate check` on a run directory: prints the verdict to `write` and resolves to the exit code. */
export async function runCheck(dir: string, flags: CheckFlags, io: { write: (text: string) => void; env: Record<string, string | undefined>; now?: Date }): Promise<number> {
  // --thresholds file -> where to write (never over a verdict) -> checkRunDir (evaluate, write) -> print -> exit code
  const thresholds = flags.thresholds ? await loadThresholdsFile(flags.thresholds) : undefined;
  const outDir = checkOutDir(dir, flags, io.now ?? new Date());
  const { verdict, exitCode } = await checkRunDir(resolve(dir), { thresholds, failOnAlerts: flags.failOnAlerts, env: io.env, outDir });
  io.write(flags.json ? `${JSON.stringify(verdict, null, 2)}\n` : `${formatVerdictText(verdict)}  outputs: ${outDir}\n`);
  return exitCode;
}

/** Registers `perfgate check`. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description("re-evaluate a run directory's thresholds and exit with their code (0 pass, 99 fail, 103 invalid, 105 interrupted)")
    .argument('<run-dir>', 'a run directory (reports/<run>)')
    .option('--thresholds <file>', "thresholds to use instead of the run's own (.json, or .ts/.js exporting them as default)")
    .option('--fail-on-alerts', 'also fail when an alert rule would have fired')
    .option('--out <dir>', "where the outputs go (default: a check-<time>/ folder in the run; the run's own files are never overwritten)")
    .option('--json', 'print verdict.json instead of text')
    .action(async (dir: string, flags: CheckFlags) => {
      process.exitCode = await runCheck(dir, flags, { write: (text) => process.stdout.write(text), env: process.env });
    });
}
