// The options `perfgate run` and `perfgate clinic` share: declared once, so the two commands cannot drift apart in
// names, defaults or help text.

import type { Command } from 'commander';

/** The shared options, as commander parses them. */
export interface SharedRunFlags {
  profile: string;
  target?: string;
  out?: string;
  workers: string;
  allowHost: string[];
  /** A PEM file of CA certificates trusted for an https target and its /metrics, beside Node's roots. */
  caFile?: string;
  failOnAlerts?: boolean;
  keepBodies?: boolean;
  report: boolean;
  json?: boolean;
  quiet?: boolean;
  /** flame / heapprofiler through Node's own --cpu-prof / --heap-prof instead of Clinic's collector. */
  nodeProfiler?: boolean;
  /** k6's load overrides. */
  vus?: string;
  duration?: string;
  iterations?: string;
  rate?: string;
  stage?: string[];
}

/** Appends a repeated option's value. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** The help lines that differ between the commands. */
export interface SharedRunHelp {
  target: string;
  nodeProfiler: string;
}

/** Declares the shared options on `cmd` (in this order, before the command's own), and returns it. */
export function addSharedRunOptions(cmd: Command, help: SharedRunHelp): Command {
  return cmd
    .option('--profile <name>', 'full, ci or smoke', 'full')
    .option('--target <url>', help.target)
    .option('--out <dir>', 'run directory (default reports/<YYYYMMDD-HHMMSS>-<scenario>)')
    .option('--workers <n>', 'worker threads to shard the load across', '1')
    .option('--allow-host <host>', 'allow a non-loopback target host (repeatable)', collect, [])
    .option('--ca-file <pem>', 'trust the CA certificates in this PEM file for an https target and its /metrics, beside the bundled roots')
    .option('--fail-on-alerts', 'fail the run (exit 99) when an alert rule would have fired')
    .option('--keep-bodies', 'keep request bodies in run.json (secret fields still redacted); by default only their shape')
    .option('--no-report', 'skip report.html and the charts (verdict, JUnit and Markdown are still written)')
    .option('--json', 'print summary.json to stdout')
    .option('--quiet', 'no progress output')
    .option('--node-profiler', help.nodeProfiler)
    .option('--vus <n>', "override the executor's vus (constant-vus, shared-iterations, per-vu-iterations), after the profile")
    .option('--duration <d>', "override the executor's duration (constant-vus, constant-arrival-rate), or maxDuration (shared-iterations, per-vu-iterations)")
    .option('--iterations <n>', "override the executor's iterations (shared-iterations, per-vu-iterations)")
    .option('--rate <n>', "override the executor's rate (constant-arrival-rate)")
    .option('--stage <duration:target[:name]>', "replace the executor's stages (ramping-vus, ramping-arrival-rate); repeatable, in order", collect, []);
}
