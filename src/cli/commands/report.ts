// `perfgate report`: placeholder until its module lands; it says so instead of pretending to work.

import type { Command } from 'commander';

/** Registers `perfgate report`. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('(not available yet in this build)')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('perfgate: `report` is not available yet in this build\n');
      process.exitCode = 1;
    });
}
