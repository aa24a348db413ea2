// `perfgate lab`: placeholder until its module lands; it says so instead of pretending to work.

import type { Command } from 'commander';

/** Registers `perfgate lab`. */
export function registerLab(program: Command): void {
  program
    .command('lab')
    .description('(not available yet in this build)')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('perfgate: `lab` is not available yet in this build\n');
      process.exitCode = 1;
    });
}
