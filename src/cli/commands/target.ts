// `perfgate target`: placeholder until its module lands; it says so instead of pretending to work.

import type { Command } from 'commander';

/** Registers `perfgate target`. */
export function registerTarget(program: Command): void {
  program
    .command('target')
    .description('(not available yet in this build)')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('perfgate: `target` is not available yet in this build\n');
      process.exitCode = 1;
    });
}
