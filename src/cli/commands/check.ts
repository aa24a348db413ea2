// `perfgate check <run-dir>`: re-evaluates a stored run's thresholds (its own, or a stricter file's), rewrites
// verdict.json, summary.json, junit.xml and summary.md, and exits with the verdict's code.

import { extname, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { tsImport } from 'tsx/esm/api';
import { ConfigError } from '../../errors.ts';
import type { VerdictJson } from '../../results/format.ts';
import { checkRunDir } from '../../slo/check-run-dir.ts';
import type { ThresholdInput } from '../../slo/grammar.ts';
import { formatValue } from '../../slo/verdict.ts';

/** The flags of `perfgate check`. */
export interface CheckFlags {
  thresholds?: string;
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
  const lines = [`${verdict.status.toUpperCase()} (exit ${verdict.exitCode}): ${verdict.reason ?? ''}`];
  for (const e of verdict.thresholds) {
    const observed = e.observed === null ? (e.note ?? 'no data') : formatValue(e.observed, e.unit);
    lines.push(`  ${e.pass ? '✓' : '✗'} ${e.key} ${e.expression}  ${observed}${e.aborted ? '  (aborted the run)' : ''}`);
  }
  for (const a of verdict.alerts.filter((x) => x.fired)) {
    lines.push(`  ! ${a.severity} ${a.description}: would have fired at ${Math.round((a.firstAtMs ?? 0) / 1000)} s`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `perfgate check` on a run directory: prints the verdict to `write` and resolves to the exit code. */
export async function runCheck(dir: string, flags: CheckFlags, io: { write: (text: string) => void; env: Record<string, string | undefined> }): Promise<number> {
  // --thresholds file -> checkRunDir (evaluate, write outputs) -> print text or JSON -> exit code
  const thresholds = flags.thresholds ? await loadThresholdsFile(flags.thresholds) : undefined;
  const { verdict, exitCode } = await checkRunDir(dir, { thresholds, failOnAlerts: flags.failOnAlerts, env: io.env });
  io.write(flags.json ? `${JSON.stringify(verdict, null, 2)}\n` : formatVerdictText(verdict));
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
    .option('--json', 'print verdict.json instead of text')
    .action(async (dir: string, flags: CheckFlags) => {
      process.exitCode = await runCheck(dir, flags, { write: (text) => process.stdout.write(text), env: process.env });
    });
}
