// The perfgate CLI: commander wiring only. Each command lives in its own module under commands/.

import { Command, CommanderError } from 'commander';
import { exitCodeFor, PerfgateError, EXIT } from '../errors.ts';
import { PERFGATE_VERSION } from '../version.ts';

type Register = (program: Command) => void;

/** Each command's module, loaded only when needed: a CLI start must not pay for vega or the engine to print a lab URL. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./commands/run.ts')).registerRun,
  report: async () => (await import('./commands/report.ts')).registerReport,
  check: async () => (await import('./commands/check.ts')).registerCheck,
  lab: async () => (await import('./commands/lab.ts')).registerLab,
  target: async () => (await import('./commands/target.ts')).registerTarget,
  doctor: async () => (await import('./commands/doctor.ts')).registerDoctor,
  probe: async () => (await import('./commands/probe.ts')).registerProbe,
  collect: async () => (await import('./commands/collect.ts')).registerCollect,
  compare: async () => (await import('./commands/compare.ts')).registerCompare,
  init: async () => (await import('./commands/init.ts')).registerInit,
  clinic: async () => (await import('./commands/clinic.ts')).registerClinic,
  export: async () => (await import('./commands/export.ts')).registerExport,
  import: async () => (await import('./commands/import.ts')).registerImport,
  merge: async () => (await import('./commands/merge.ts')).registerMerge,
  drill: async () => (await import('./commands/drill.ts')).registerDrill,
};

/** Builds the commander program: only the named command when argv names one, every command otherwise (help). */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('perfgate')
    .description('Load testing and SLO validation: client and server in one run, one report and one CI gate.')
    .version(PERFGATE_VERSION)
    .exitOverride()
    .showHelpAfterError();
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  const versionOnly = !named && argv.slice(2).some((a) => a === '-V' || a === '--version');
  const wanted = versionOnly ? [] : named && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  for (const name of wanted) (await COMMANDS[name]!())(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code; errors are printed, never thrown. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
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
