// `perfgate probe <url>`: a quick capacity probe on autocannon, written in the run format.

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, EXIT } from '../../errors.ts';
import { RUN_FILES } from '../../results/format.ts';
import { probe, type ProbeOutcome } from '../../run/probe.ts';
import { parseCliDurationMs } from '../../scenario/duration.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

/** Registers `perfgate probe`. */
export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('quick capacity probe on autocannon (closed loop), written as a run directory')
    .argument('<url>', 'URL to load')
    .option('-c, --connections <n>', 'concurrent connections', '50')
    .option('-d, --duration <duration>', "how long to probe: a duration like '30s' or '2m', or a number of seconds", '10s')
    .option('--out <dir>', 'run directory')
    .option('--allow-host <host>', 'allow a non-loopback target host (repeatable)', collect, [])
    .option('--json', 'print summary.json to stdout')
    .option('--quiet', 'no output but errors')
    .action(async (url: string, flags: { connections: string; duration: string; out?: string; allowHost: string[]; json?: boolean; quiet?: boolean }) => {
      const connections = Number(flags.connections);
      if (!Number.isInteger(connections) || connections < 1) throw new ConfigError([{ path: '--connections', message: `must be a positive integer (got "${flags.connections}")` }], 'invalid arguments');
      const durationS = parseCliDurationMs(flags.duration, '--duration', { positive: true }) / 1000;
      const ac = new AbortController();
      const onSignal = () => (ac.signal.aborted ? process.exit(EXIT.interrupted) : ac.abort());
      process.on('SIGINT', onSignal);
      try {
        const outcome = await probe({ url, connections, durationS, out: flags.out, allowHosts: flags.allowHost, signal: ac.signal });
        if (flags.json) process.stdout.write(readFileSync(join(outcome.runDir, RUN_FILES.summary), 'utf8'));
        if (!flags.quiet) for (const line of probeReport(outcome, connections)) process.stderr.write(`perfgate: ${line}\n`);
        process.exitCode = outcome.exitCode;
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}

/** The probe's lines for a person: failures first, by error class; a throughput only of successful responses. */
export function probeReport(o: ProbeOutcome, connections: number): string[] {
  const lines: string[] = [];
  const byClass = Object.entries(o.errors).sort((a, b) => b[1] - a[1]).map(([cls, n]) => `${cls} ${n}`).join(', ');
  if (o.requests === 0) lines.push('probe: no request completed, so there is no throughput to report');
  else if (o.failed === o.requests) lines.push(`probe: every request failed (${o.failed} of ${o.requests}: ${byClass}); no response, so no throughput to report`);
  else if (o.failed > 0) lines.push(`probe: ${o.failed} of ${o.requests} requests failed (${byClass})`);
  if (o.failed === 0 && o.requests > 0) lines.push(`probe ${o.okPerS.toFixed(0)} req/s with ${connections} connections`);
  else if (o.failed < o.requests) lines.push(`probe ${o.okPerS.toFixed(0)} successful responses/s with ${connections} connections (the failed requests are not counted)`);
  lines.push(`results in ${o.runDir}`);
  return lines;
}
