// `perfgate collect`: the collectors alone for a duration, into a run directory, for load that comes from elsewhere.

import type { Command } from 'commander';
import { ConfigError, EXIT } from '../../errors.ts';
import { formatDuration, parseCliDurationMs } from '../../scenario/duration.ts';
import type { CollectorsOptions } from '../../scenario/types.ts';
import { runCollect } from '../../collectors/collect-run.ts';

/** Parsed flags of `perfgate collect`. */
interface CollectFlags {
  duration?: string;
  out?: string;
  interval: string;
  prometheus?: string | true;
  postgres?: string | true;
  pgbouncer?: string | true;
  redis?: string | true;
  host?: boolean;
  allowHost?: string[];
}

const ENV_OF = { prometheus: 'METRICS_URL', postgres: 'DATABASE_URL', pgbouncer: 'PGBOUNCER_URL', redis: 'REDIS_URL' } as const;

/** Turns the flags into CollectorsOptions; with no collector flag, every collector whose env URL is set, plus host. */
export function collectorsFromFlags(flags: CollectFlags, env: NodeJS.ProcessEnv): CollectorsOptions {
  const opts: CollectorsOptions = { interval: formatDuration(parseCliDurationMs(flags.interval, '--interval', { positive: true })) };
  const named = (['prometheus', 'postgres', 'pgbouncer', 'redis'] as const).filter((n) => flags[n] !== undefined);
  if (named.length === 0 && !flags.host) {
    for (const n of ['prometheus', 'postgres', 'pgbouncer', 'redis'] as const) if (env[ENV_OF[n]]) opts[n] = {};
    opts.host = {};
    return opts;
  }
  for (const n of named) opts[n] = flags[n] === true ? {} : { url: flags[n] as string };
  if (flags.host) opts.host = {};
  return opts;
}

/** Registers `perfgate collect`. */
export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description('run the collectors alone (load from elsewhere) into a run directory')
    .requiredOption('--duration <duration>', "how long to collect: a duration like '10m', or a number of seconds")
    .option('--out <dir>', 'the run directory (default reports/<stamp>-collect)')
    .option('--interval <duration>', "sampling interval: a duration like '500ms', or a number of seconds", '1s')
    .option('--prometheus [url]', 'scrape a /metrics URL (default $METRICS_URL)')
    .option('--postgres [url]', 'PostgreSQL (default $DATABASE_URL)')
    .option('--pgbouncer [url]', 'PgBouncer admin console (default $PGBOUNCER_URL)')
    .option('--redis [url]', 'Redis (default $REDIS_URL)')
    .option('--host', 'this machine and the collector process')
    .option('--allow-host <host>', 'allow a non-loopback collector host (repeatable), as for run targets', (v: string, prev: string[]) => [...prev, v], [])
    .addHelpText('after', '\nWith no collector flag, every collector whose environment URL is set runs, plus --host.')
    .action(async (flags: CollectFlags) => {
      const durationMs = parseCliDurationMs(flags.duration as string, '--duration', { positive: true });
      const collectors = collectorsFromFlags(flags, process.env);
      // SIGINT/SIGTERM end the collection early (a partial run directory is still complete); a second one exits at once.
      const ac = new AbortController();
      let signals = 0;
      const onSignal = (): void => {
        if (++signals > 1) process.exit(EXIT.interrupted);
        ac.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const result = await runCollect({
          collectors,
          durationMs,
          out: flags.out,
          allowHosts: flags.allowHost,
          signal: ac.signal,
          onLog: (line) => process.stderr.write(`perfgate: ${line}\n`),
        });
        process.stdout.write(`${result.dir}\n`);
        process.exitCode = result.status === 'interrupted' ? EXIT.interrupted : EXIT.ok;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
