// `perfgate doctor`: placeholder until its module lands; it says so instead of pretending to work.

import type { Command } from 'commander';

/** Registers `perfgate doctor`. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('(not available yet in this build)')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('perfgate: `doctor` is not available yet in this build\n');
      process.exitCode = 1;
    });
}
