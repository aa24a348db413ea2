// `perfgate import k6 <file.json[.gz]>... --out DIR [--scenario S] [--profile P] [--samples DIR]`: k6's JSON output
// rebuilt into a perfgate run directory (src/run/import-k6.ts). Thin: parse the flags, call the library.

import type { Command } from 'commander';
import { ConfigError } from '../../errors.ts';
import type { ProfileName } from '../../results/format.ts';
import { importK6 } from '../../run/import-k6.ts';

const PROFILES: readonly string[] = ['full', 'ci', 'smoke'];

/** Registers `perfgate import`. */
export function registerImport(program: Command): void {
  const imp = program.command('import').description("import another tool's raw results as a perfgate run directory");
  imp
    .command('k6')
    .description('rebuild a run directory from k6 JSON output (k6 run --out json=FILE), one file per k6 process or pod')
    .argument('<files...>', 'k6 JSON output files, gzipped or not')
    .requiredOption('--out <dir>', 'the run directory to write')
    .option('--scenario <scenario>', 'the perfgate scenario the k6 script came from: its thresholds, alert rules and phases apply')
    .option('--profile <profile>', 'the profile the script was exported at (full, ci, smoke)', 'full')
    .option('--samples <dir>', 'a `perfgate collect` run directory whose server samples join the run on the same clock')
    .action(async (files: string[], flags: { out: string; scenario?: string; profile: string; samples?: string }) => {
      if (!PROFILES.includes(flags.profile)) throw new ConfigError([{ path: '--profile', message: `must be one of ${PROFILES.join(', ')}` }], 'invalid arguments');
      const { dir, intervals } = await importK6({
        files,
        out: flags.out,
        scenario: flags.scenario,
        profile: flags.profile as ProfileName,
        samples: flags.samples,
        onLog: (line) => process.stderr.write(`perfgate: ${line}\n`),
      });
      const requests = intervals.reduce((n, r) => n + (r.type === 'req' ? r.count : 0), 0);
      process.stderr.write(`perfgate: ${requests} requests in ${intervals.filter((r) => r.type === 'tick').length} intervals; judge it with: perfgate check ${dir}\n`);
      process.stdout.write(`${dir}\n`);
    });
}
