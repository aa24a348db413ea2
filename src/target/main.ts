// Entry point of the reference target: `tsx src/target/main.ts <serve|migrate|seed|gen-keys|mint-tokens|tickers>`.

import cluster from 'node:cluster';
import { Command, InvalidArgumentError } from 'commander';
import { TargetConfigError } from './config.ts';
import { migrate } from './db/migrate.ts';
import { seed } from './seed/load.ts';
import { serve } from './serve.ts';
import { genKeys, mintTokens, parseSeedSize, parseTtlS, tickers } from './tools.ts';

/** Wraps a parser so commander reports its message as an invalid argument. */
const arg = <T>(parse: (s: string) => T) => (value: string): T => {
  try {
    return parse(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

/** Reads a required environment variable or fails naming it. */
function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

/** Builds the command-line program. */
function program(): Command {
  const cli = new Command('perfgate-target').description('the Corporate Intelligence Platform reference service');
  cli.command('serve', { isDefault: true }).description('serve the API (env PORT, DATABASE_URL, REDIS_URL, UPSTREAM_URL, ...)').action(() => serve(process.env));
  cli.command('migrate').description('apply SQL migrations as the owner (env DATABASE_URL), then grant DATABASE_APP_ROLE its privileges').action(async () => {
    const applied = await migrate(requireEnv('DATABASE_URL'), undefined, process.env.DATABASE_APP_ROLE || undefined);
    process.stdout.write(`${JSON.stringify({ event: 'migrated', applied })}\n`);
  });
  cli
    .command('seed')
    .description('replace the data with the deterministic seed (env DATABASE_URL)')
    .option('--size <size>', 'small or default', arg(parseSeedSize), 'default')
    .action(async (opts: { size: 'small' | 'default' }) => {
      const startMs = Date.now();
      const counts = await seed(requireEnv('DATABASE_URL'), opts.size);
      process.stdout.write(`${JSON.stringify({ event: 'seeded', size: opts.size, ...counts, durationMs: Date.now() - startMs })}\n`);
    });
  cli
    .command('gen-keys')
    .description('write jwt-private.pem and jwt-public.pem (RS256)')
    .requiredOption('--out <dir>', 'output folder')
    .action(async (opts: { out: string }) => {
      process.stdout.write(`${JSON.stringify({ event: 'keys', ...(await genKeys(opts.out)) })}\n`);
    });
  cli
    .command('mint-tokens')
    .description('mint load-test tokens into a CSV with header `token` (env JWT_PRIVATE_KEY_FILE)')
    .option('--count <n>', 'how many tokens', arg((s) => Number(s)), 100)
    .option('--ttl <ttl>', 'token lifetime, at most 15m (the API refuses longer-lived tokens)', arg(parseTtlS), 900)
    .option('--client <id>', 'seeded client id', 'perfgate-load')
    .requiredOption('--out <file>', 'CSV file to write')
    .action(async (opts: { count: number; ttl: number; client: string; out: string }) => {
      await mintTokens({ count: opts.count, ttlS: opts.ttl, clientId: opts.client, out: opts.out, privateKeyFile: requireEnv('JWT_PRIVATE_KEY_FILE') });
      process.stdout.write(`${JSON.stringify({ event: 'minted', count: opts.count, out: opts.out })}\n`);
    });
  cli
    .command('tickers')
    .description('print the seeded tickers, one per line')
    .option('--size <size>', 'small or default', arg(parseSeedSize), 'default')
    .action((opts: { size: 'small' | 'default' }) => {
      process.stdout.write(`${tickers(opts.size).join('\n')}\n`);
    });
  return cli;
}

/** Prints an error without a stack for expected failures, and exits 1. */
function fail(err: unknown): never {
  const message = err instanceof TargetConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`perfgate-target: ${message}\n`);
  process.exit(1);
}

if (cluster.isWorker) {
  // A cluster worker re-runs this file with the primary's arguments; it only ever serves.
  serve(process.env).catch(fail);
} else {
  program().parseAsync(process.argv).catch(fail);
}
