// `perfgate drill restore --pgbackrest-config FILE --stanza S`: the restore drill against your own pgBackRest
// repository, into a scratch instance on a free loopback port; exits 0 when the restore and every check passed, 99
// otherwise. (The lab's drills run as scenarios: `perfgate run restore --lab`.)

import type { Command } from 'commander';
import { ConfigError, EXIT } from '../../errors.ts';
import { checkRepository, type RepositoryCheckResult } from '../../run/recovery/repository-check.ts';

/** The flags of `perfgate drill restore`. */
interface DrillFlags {
  pgbackrestConfig?: string;
  stanza?: string;
  pgUser?: string;
  keep?: boolean;
  json?: boolean;
}

/** The result for a terminal (pure). */
export function formatRepositoryCheck(r: RepositoryCheckResult): string {
  const lines = [`${r.ok ? 'PASS' : 'FAIL'}: restore of ${r.backup?.label ?? 'the newest backup'} ${r.ok ? 'succeeded and passed every check' : 'failed'}`];
  if (r.backup) lines.push(`  backup size: ${(r.backup.sizeBytes / 1e6).toFixed(1)} MB`);
  if (r.restoreS !== undefined) lines.push(`  restore: ${r.restoreS.toFixed(1)} s (${r.mbPerS?.toFixed(1)} MB/s; scale by your database's size to estimate a production restore)`);
  if (r.replayS !== undefined) lines.push(`  WAL replay and promotion: ${r.replayS.toFixed(1)} s`);
  lines.push(`  total: ${r.totalS.toFixed(1)} s`);
  for (const c of r.checks) lines.push(`  ${c}`);
  if (r.error) lines.push(`  error: ${r.error}`);
  if (r.scratchDir) lines.push(`  scratch folder kept: ${r.scratchDir}`);
  return `${lines.join('\n')}\n`;
}

/** Registers `perfgate drill restore`. */
export function registerDrill(program: Command): void {
  const drill = program.command('drill').description('recovery drills against your own systems');
  drill
    .command('restore')
    .description('restore the newest backup of a pgBackRest repository into a scratch instance and check it (pg_amcheck, pgbackrest verify)')
    .option('--pgbackrest-config <file>', 'the pgbackrest.conf that names the repository')
    .option('--stanza <name>', 'the stanza to restore')
    .option('--pg-user <role>', 'the cluster\'s superuser, for pg_amcheck (default postgres)')
    .option('--keep', 'keep the scratch folder')
    .option('--json', 'print the result as JSON')
    .action(async (flags: DrillFlags) => {
      const issues = [
        ...(flags.pgbackrestConfig ? [] : [{ path: '--pgbackrest-config', message: 'is required' }]),
        ...(flags.stanza ? [] : [{ path: '--stanza', message: 'is required' }]),
      ];
      if (issues.length) throw new ConfigError(issues, 'invalid arguments');
      const result = await checkRepository({
        configFile: flags.pgbackrestConfig!,
        stanza: flags.stanza!,
        pgUser: flags.pgUser,
        keep: flags.keep,
        onLog: flags.json ? undefined : (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatRepositoryCheck(result));
      process.exitCode = result.ok ? EXIT.ok : EXIT.thresholdsFailed;
    });
}
