// `perfgate check`: placeholder until its module lands; it says so instead of pretending to work.

import type { Command } from 'commander';

/** Registers `perfgate check`. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('(not available yet in this build)')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('perfgate: `check` is not available yet in this build\n');
      process.exitCode = 1;
    });
}
