// `perfgate collect`: placeholder until its module lands; it says so instead of pretending to work.

import type { Command } from 'commander';

/** Registers `perfgate collect`. */
export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description('(not available yet in this build)')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('perfgate: `collect` is not available yet in this build\n');
      process.exitCode = 1;
    });
}
