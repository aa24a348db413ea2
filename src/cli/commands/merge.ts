// `perfgate merge <run-dir>... --out DIR`: shards of one test merged into one run directory (src/run/merge-run-dirs.ts).

import type { Command } from 'commander';
import { mergeRunDirs } from '../../run/merge-run-dirs.ts';

/** Registers `perfgate merge`. */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge the run directories of one test\'s shards (execution segments, k6 pods) into one run, exactly')
    .argument('<run-dirs...>', 'the parts: run directories')
    .requiredOption('--out <dir>', 'the merged run directory to write')
    .action(async (dirs: string[], flags: { out: string }) => {
      const { dir, merged } = await mergeRunDirs(dirs, flags.out);
      process.stderr.write(`perfgate: merged ${merged.run.parts?.length ?? dirs.length} parts; judge it with: perfgate check ${dir}\n`);
      process.stdout.write(`${dir}\n`);
    });
}
