// `perfgate target`: runs the reference service alone against DATABASE_URL, REDIS_URL and UPSTREAM_URL.

import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.ts';
import { REPO_ROOT, TARGET_MAIN, requireEntry, tsxArgs } from '../../lab/target-process.ts';

/** The environment variables `perfgate target` needs. */
export const TARGET_ENV = ['DATABASE_URL', 'REDIS_URL', 'UPSTREAM_URL'] as const;

/** Lists the missing variables of an environment (pure). */
export function missingTargetEnv(env: Record<string, string | undefined>): string[] {
  return TARGET_ENV.filter((name) => !env[name]);
}

/** Registers `perfgate target`. */
export function registerTarget(program: Command): void {
  program
    .command('target')
    .description('run the reference service alone (env DATABASE_URL, REDIS_URL, UPSTREAM_URL; PORT, TARGET_WORKERS, ...)')
    .action(async () => {
      const missing = missingTargetEnv(process.env);
      if (missing.length) {
        throw new ConfigError(
          missing.map((name) => ({ path: name, message: 'environment variable is required (or start everything with `perfgate lab up`)' })),
          'perfgate target needs',
        );
      }
      requireEntry(TARGET_MAIN);
      // serve → forward SIGINT/SIGTERM → exit with the service's code.
      const child = spawn(process.execPath, [...tsxArgs(TARGET_MAIN), 'serve'], { stdio: 'inherit', cwd: REPO_ROOT, env: process.env });
      const forward = (sig: NodeJS.Signals): void => {
        child.kill(sig);
      };
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      const code = await new Promise<number>((resolve) => child.once('exit', (c, s) => resolve(c ?? (s === 'SIGINT' ? 130 : 143))));
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      process.exitCode = code;
    });
}
