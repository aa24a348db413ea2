// `perfgate doctor`: checks the prerequisites and prints how to install what is missing (exit 1 if required ones are).

import type { Command } from 'commander';
import { formatDoctor, runDoctor } from '../../lab/doctor.ts';

/** Registers `perfgate doctor`. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the prerequisites (PostgreSQL, Redis, PgBouncer, pgBackRest, Node, Chromium, open-file limit)')
    .option('--json', 'print the checks as JSON')
    .action((flags: { json?: boolean }) => {
      const checks = runDoctor();
      process.stdout.write(flags.json ? `${JSON.stringify(checks, null, 2)}\n` : formatDoctor(checks));
      if (checks.some((c) => c.status === 'missing')) process.exitCode = 1;
    });
}
