// `perfgate probe`: placeholder until its module lands; it says so instead of pretending to work.

import type { Command } from 'commander';

/** Registers `perfgate probe`. */
export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('(not available yet in this build)')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('perfgate: `probe` is not available yet in this build\n');
      process.exitCode = 1;
    });
}
