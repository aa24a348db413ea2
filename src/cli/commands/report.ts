// `perfgate report <run-dir> [--open] [--index]`: rebuilds report.html and charts/*.svg from the run directory alone,
// then the index of the folder that holds it when perfgate owns that folder (or --index asks for it).

import type { Command } from 'commander';
import { dirname, relative, resolve } from 'node:path';
import { RunDirError } from '../../errors.ts';
import { isDirectory, writeIndex, writeReport } from '../../run/write-report.ts';
import { isRunsFolder } from '../../results/run-dir-writer.ts';

/** Registers `perfgate report`. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild report.html and charts/*.svg of a run directory, and the index of its folder of runs')
    .argument('<run-dir>', 'the run directory (reports/<timestamp>-<scenario>)')
    .option('--open', 'open the report in a browser when one is available')
    .option('--index', "also write index.html into the run's parent folder when perfgate does not own it")
    .action(async (runDir: string, opts: { open?: boolean; index?: boolean }) => {
      const dir = resolve(runDir);
      if (!(await isDirectory(dir))) throw new RunDirError(`${runDir} is not a directory`);
      const out = await writeReport(dir, { open: opts.open === true });
      const parent = dirname(dir);
      const owned = isRunsFolder(parent);
      const index = owned || opts.index ? await writeIndex(parent).catch((err: unknown) => {
        process.stderr.write(`perfgate: the index of ${parent} was not rebuilt: ${(err as Error).message}\n`);
        return undefined;
      }) : undefined;
      const rel = (p: string): string => { const r = relative(process.cwd(), p); return r && !r.startsWith('..') ? r : p; };
      process.stdout.write(`report: ${rel(out.htmlPath)}\n`);
      process.stdout.write(`charts: ${out.chartPaths.length} written${out.omitted.length ? `, ${out.omitted.length} left out (${out.omitted.map((o) => o.id).join(', ')}: no data)` : ''}\n`);
      if (index) process.stdout.write(`index:  ${rel(index)}\n`);
      else if (!owned && !opts.index) process.stdout.write(`index:  not written (${rel(parent)} is not a folder of perfgate runs; --index writes one there)\n`);
      if (opts.open && !out.opened) process.stdout.write('(no browser opener found; open the file above by hand)\n');
    });
}
