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
import { parseRunFlags, printOutcome } from './run.ts';
import { addSharedRunOptions, type SharedRunFlags } from './run-options.ts';

/** Registers `perfgate clinic`. */
export function registerClinic(program: Command): void {
  const cmd = program
    .command('clinic')
    .description('profile your own Node service under load: start it under a Clinic.js tool, run the scenario against it, stop it, keep the profile')
    .argument('<tool>', 'doctor, flame, bubbleprof or heapprofiler')
    .argument('<scenario>', 'a scenario name or file (its target.baseUrl, or --target, is where the service listens)')
    .argument('<command...>', 'after --: the command that starts your service, e.g. -- node server.js');
  addSharedRunOptions(cmd, {
    target: 'the service\'s base URL (overrides target.baseUrl)',
    nodeProfiler: 'flame or heapprofiler through Node\'s own --cpu-prof / --heap-prof instead of Clinic',
  }).action(async (toolName: string, scenario: string, command: string[], flags: SharedRunFlags) => {
    // flags -> profiler -> scenario's URL -> service under the profiler (ready) -> gated run (stops it, collects) -> outcome printed -> cleanup
    const { profile, workers, overrides, tlsCa } = parseRunFlags({ ...flags, baseline: [], nodeProfiler: undefined }); // the tool is checked below
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
        scenario, profile, ...(overrides ? { overrides } : {}), targetUrl: url, out: flags.out, workers, allowHosts: flags.allowHost,
        ...(tlsCa ? { tlsCa } : {}), signal: ac.signal, failOnAlerts: flags.failOnAlerts, keepBodies: flags.keepBodies,
        noReport: !flags.report, profiledService: started.service, onLog: log,
      });
      handle.on('start', ({ run, runDir }) => {
        plannedMs = run.plannedDurationMs;
        log(`running ${run.scenario} (${run.profile}) against ${run.target.baseUrl}; writing ${runDir}`);
      });
      handle.on('error', (err) => log(err.message));
      if (!flags.quiet) attachProgress(handle, process.stderr, () => plannedMs);
      const outcome: GateRunOutcome = await handle;
      await started.keepLog(outcome.runDir);
      printOutcome(outcome, flags);
      process.exitCode = outcome.exitCode;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await started.cleanup();
    }
    if (process.exitCode === undefined) process.exitCode = EXIT.ok;
  });
}
