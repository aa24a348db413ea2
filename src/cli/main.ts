// The perfgate CLI: commander wiring only. Each command lives in its own module under commands/.

import { Command, CommanderError } from 'commander';
import { exitCodeFor, PerfgateError, EXIT } from '../errors.ts';
import { registerRun } from './commands/run.ts';
import { registerReport } from './commands/report.ts';
import { registerCheck } from './commands/check.ts';
import { registerLab } from './commands/lab.ts';
import { registerTarget } from './commands/target.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerProbe } from './commands/probe.ts';
import { registerCollect } from './commands/collect.ts';
import { PERFGATE_VERSION } from '../version.ts';

/** Builds the commander program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('perfgate')
    .description('Load testing and SLO validation: client and server in one run, one report and one CI gate.')
    .version(PERFGATE_VERSION)
    .exitOverride()
    .showHelpAfterError();
  for (const register of [registerRun, registerReport, registerCheck, registerLab, registerTarget, registerDoctor, registerProbe, registerCollect]) {
    register(program);
  }
  return program;
}

/** Runs the CLI and resolves to the process exit code; errors are printed, never thrown. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return EXIT.ok;
      return EXIT.invalidConfig;
    }
    if (err instanceof PerfgateError) {
      process.stderr.write(`perfgate: ${err.message}\n`);
    } else {
      process.stderr.write(`perfgate: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    return exitCodeFor(err);
  }
}
