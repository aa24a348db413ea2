// `perfgate report <run-dir> [--open]`: rebuilds report.html and charts/*.svg from the run directory alone, then
// the index of the folder that holds it.

import type { Command } from 'commander';
import { dirname, relative, resolve } from 'node:path';
import { RunDirError } from '../../errors.ts';
import { isDirectory, writeIndex, writeReport } from '../../report/write-report.ts';

/** Registers `perfgate report`. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild report.html and charts/*.svg of a run directory, and the index of its folder')
    .argument('<run-dir>', 'the run directory (reports/<timestamp>-<scenario>)')
    .option('--open', 'open the report in a browser when one is available')
    .action(async (runDir: string, opts: { open?: boolean }) => {
      const dir = resolve(runDir);
      if (!(await isDirectory(dir))) throw new RunDirError(`${runDir} is not a directory`);
      const out = await writeReport(dir, { open: opts.open === true });
      const index = await writeIndex(dirname(dir)).catch((err: unknown) => {
        process.stderr.write(`perfgate: the index of ${dirname(dir)} was not rebuilt: ${(err as Error).message}\n`);
        return undefined;
      });
      const rel = (p: string): string => { const r = relative(process.cwd(), p); return r && !r.startsWith('..') ? r : p; };
      process.stdout.write(`report: ${rel(out.htmlPath)}\n`);
      process.stdout.write(`charts: ${out.chartPaths.length} written${out.omitted.length ? `, ${out.omitted.length} left out (${out.omitted.map((o) => o.id).join(', ')}: no data)` : ''}\n`);
      if (index) process.stdout.write(`index:  ${rel(index)}\n`);
      if (opts.open && !out.opened) process.stdout.write('(no browser opener found; open the file above by hand)\n');
    });
}
