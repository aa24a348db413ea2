// `perfgate compare <baseline>... <candidate>`: the regression gate on stored runs; prints compare.md and exits 99 on a
// regression beyond the minimum effect (or an inconclusive comparison with --fail-on-inconclusive).

import type { Command } from 'commander';
import { ConfigError } from '../../errors.ts';
import { compareGate, parseEffect, type CompareGateOptions } from '../../run/compare-gate.ts';

/** The flags of `perfgate compare` (and the comparison flags of `perfgate run --baseline`). */
export interface CompareFlags {
  baselines: string;
  minEffect: string;
  failOnInconclusive?: boolean;
  out?: string;
  noiseFrom?: string[];
  json?: boolean;
}

/** Checks the comparison flags; every problem at once. */
export function parseCompareFlags(flags: CompareFlags): Pick<CompareGateOptions, 'maxBaselines' | 'minEffect' | 'failOnInconclusive' | 'noiseFrom'> {
  const issues = [];
  const k = Number(flags.baselines);
  if (!Number.isInteger(k) || k < 1 || k > 50) issues.push({ path: '--baselines', message: `must be an integer from 1 to 50 (got "${flags.baselines}")` });
  let minEffect = 0.1;
  try {
    minEffect = parseEffect(flags.minEffect, '--min-effect');
  } catch (err) {
    issues.push(...(err as ConfigError).issues);
  }
  if (issues.length) throw new ConfigError(issues, 'invalid arguments');
  return { maxBaselines: k, minEffect, failOnInconclusive: flags.failOnInconclusive, noiseFrom: flags.noiseFrom };
}

/** Runs the comparison and prints it; resolves to the exit code. */
export async function runCompare(baselines: string[], candidate: string, flags: CompareFlags, io: { write: (text: string) => void; env: Record<string, string | undefined> }): Promise<number> {
  const { result, markdown } = await compareGate({ baselines, candidate, ...parseCompareFlags(flags), out: flags.out, env: io.env });
  io.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : markdown);
  return result.exitCode;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** Adds the comparison options shared by `compare` and `run --baseline`. */
export function addCompareOptions(cmd: Command): Command {
  return cmd
    .option('--baselines <k>', 'use the newest K matching runs of the baseline folders', '5')
    .option('--min-effect <pct>', 'the smallest regression that fails the gate', '10%')
    .option('--fail-on-inconclusive', 'fail (exit 99) when a comparison is inconclusive')
    .option('--noise-from <folder>', 'stored runs to learn the run-to-run spread from (same git sha), used with one baseline (repeatable)', collect, []);
}

/** Registers `perfgate compare`. */
export function registerCompare(program: Command): void {
  addCompareOptions(
    program
      .command('compare')
      .description('compare a run with its baselines: regressed, improved, unchanged or inconclusive per metric (exit 99 on a regression)')
      .argument('<runs...>', 'baseline run directories or folders of them, then the candidate run directory'),
  )
    .option('--out <dir>', 'where compare.json, compare.md and compare-junit.xml go (default: the candidate run directory)')
    .option('--json', 'print compare.json instead of Markdown')
    .action(async (runs: string[], flags: CompareFlags) => {
      if (runs.length < 2) throw new ConfigError([{ path: '<runs...>', message: 'give at least one baseline and the candidate' }], 'invalid arguments');
      process.exitCode = await runCompare(runs.slice(0, -1), runs[runs.length - 1], flags, { write: (t) => process.stdout.write(t), env: process.env });
    });
}
