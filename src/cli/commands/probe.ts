// `perfgate probe <url>`: a quick capacity probe on autocannon, written in the run format.

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, EXIT } from '../../errors.ts';
import { RUN_FILES } from '../../results/format.ts';
import { probe } from '../../run/probe.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

/** Registers `perfgate probe`. */
export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('quick capacity probe on autocannon (closed loop), written as a run directory')
    .argument('<url>', 'URL to load')
    .option('-c, --connections <n>', 'concurrent connections', '50')
    .option('-d, --duration <s>', 'duration in seconds', '10')
    .option('--out <dir>', 'run directory')
    .option('--allow-host <host>', 'allow a non-loopback target host (repeatable)', collect, [])
    .option('--json', 'print summary.json to stdout')
    .option('--quiet', 'no output but errors')
    .action(async (url: string, flags: { connections: string; duration: string; out?: string; allowHost: string[]; json?: boolean; quiet?: boolean }) => {
      const connections = Number(flags.connections);
      const durationS = Number(flags.duration);
      const issues = [];
      if (!Number.isInteger(connections) || connections < 1) issues.push({ path: '--connections', message: `must be a positive integer (got "${flags.connections}")` });
      if (!(durationS > 0)) issues.push({ path: '--duration', message: `must be a positive number of seconds (got "${flags.duration}")` });
      if (issues.length) throw new ConfigError(issues, 'invalid arguments');
      const ac = new AbortController();
      const onSignal = () => (ac.signal.aborted ? process.exit(EXIT.interrupted) : ac.abort());
      process.on('SIGINT', onSignal);
      try {
        const outcome = await probe({ url, connections, durationS, out: flags.out, allowHosts: flags.allowHost, signal: ac.signal });
        if (flags.json) process.stdout.write(readFileSync(join(outcome.runDir, RUN_FILES.summary), 'utf8'));
        if (!flags.quiet) process.stderr.write(`perfgate: probe ${outcome.requestsPerS.toFixed(0)} req/s with ${connections} connections; results in ${outcome.runDir}\n`);
        process.exitCode = outcome.exitCode;
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
