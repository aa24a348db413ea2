// `perfgate run`: placeholder until its module lands; it says so instead of pretending to work.

import type { Command } from 'commander';

/** Registers `perfgate run`. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('(not available yet in this build)')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('perfgate: `run` is not available yet in this build\n');
      process.exitCode = 1;
    });
}
