// `perfgate clinic <tool> <scenario> -- <command>`: starts the user's own Node service under a Clinic.js tool (or
// Node's own profiler), drives it with the scenario, stops it gracefully and puts the profile in the run directory.

import type { Command } from 'commander';
import { ConfigError, EXIT } from '../../errors.ts';
import type { ProfileName } from '../../results/format.ts';
import { runWithGate, type GateRunOutcome } from '../../run/gate-run.ts';
import { attachProgress } from '../../run/progress.ts';
import { loadScenario } from '../../scenario/load.ts';
import { parseProfiler } from '../../profile/tools.ts';
import { clinicBin } from '../../profile/launch.ts';
import { startProfiledService } from '../../profile/service.ts';
import { parseRunFlags } from './run.ts';

/** Options of `perfgate clinic`, as commander parses them. */
interface ClinicFlags {
  profile: string;
  target?: string;
  out?: string;
  workers: string;
  allowHost: string[];
  nodeProfiler?: boolean;
  failOnAlerts?: boolean;
  report: boolean;
  quiet?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** Registers `perfgate clinic`. */
export function registerClinic(program: Command): void {
  program
    .command('clinic')
    .description('profile your own Node service under load: start it under a Clinic.js tool, run the scenario against it, stop it, keep the profile')
    .argument('<tool>', 'doctor, flame, bubbleprof or heapprofiler')
    .argument('<scenario>', 'a scenario name or file (its target.baseUrl, or --target, is where the service listens)')
    .argument('<command...>', 'after --: the command that starts your service, e.g. -- node server.js')
    .option('--profile <name>', 'full, ci or smoke', 'full')
    .option('--target <url>', 'the service\'s base URL (overrides target.baseUrl)')
    .option('--out <dir>', 'run directory (default reports/<YYYYMMDD-HHMMSS>-<scenario>)')
    .option('--workers <n>', 'worker threads to shard the load across', '1')
    .option('--allow-host <host>', 'allow a non-loopback target host (repeatable)', collect, [])
    .option('--node-profiler', 'flame or heapprofiler through Node\'s own --cpu-prof / --heap-prof instead of Clinic')
    .option('--fail-on-alerts', 'fail the run (exit 99) when an alert rule would have fired')
    .option('--no-report', 'skip report.html and the charts')
    .option('--quiet', 'no progress output')
    .action(async (toolName: string, scenario: string, command: string[], flags: ClinicFlags) => {
      // flags -> profiler -> scenario's URL -> service under the profiler (ready) -> gated run (stops it, collects) -> cleanup
      const { profile, workers } = parseRunFlags({ ...flags, baseline: [], nodeProfiler: undefined }); // the tool is checked below
      const choice = parseProfiler(toolName, { field: 'tool', nodeProfiler: flags.nodeProfiler, clinicInstalled: clinicBin() !== undefined });
      if (command.length === 0) throw new ConfigError([{ path: 'command', message: 'name the command that starts your service after --' }], 'invalid arguments');
      const log = (line: string) => {
        if (!flags.quiet) process.stderr.write(`perfgate: ${line}\n`);
      };
      const cwd = process.cwd();
      const url = flags.target ?? (await loadScenario(scenario, { profile: profile as ProfileName, cwd, env: process.env })).definition.target.baseUrl;
      const ac = new AbortController();
      const onSignal = () => ac.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const started = await startProfiledService({ choice, command, url, cwd, env: process.env, onLog: log });
      try {
        let plannedMs = 0;
        const handle = runWithGate({
          scenario, profile, targetUrl: url, out: flags.out, workers, allowHosts: flags.allowHost, signal: ac.signal,
          failOnAlerts: flags.failOnAlerts, noReport: !flags.report, profiledService: started.service, onLog: log,
        });
        handle.on('start', ({ run, runDir }) => {
          plannedMs = run.plannedDurationMs;
          log(`running ${run.scenario} (${run.profile}) against ${run.target.baseUrl}; writing ${runDir}`);
        });
        handle.on('error', (err) => log(err.message));
        if (!flags.quiet) attachProgress(handle, process.stderr, () => plannedMs);
        const outcome: GateRunOutcome = await handle;
        await started.keepLog(outcome.runDir);
        log(`run ${outcome.run.status} (exit ${outcome.exitCode}); results in ${outcome.runDir}`);
        if (outcome.reportHtml) log(`report: ${outcome.reportHtml}`);
        process.exitCode = outcome.exitCode;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await started.cleanup();
      }
      if (process.exitCode === undefined) process.exitCode = EXIT.ok;
    });
}
