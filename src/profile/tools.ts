// The profilers a run can put its service under: Clinic.js's four tools, and Node's own sampling profilers that
// stand in for flame and heapprofiler (`method: node`). Pure: names, parsing, and what works on this Node.

import { ConfigError } from '../errors.ts';

/** Clinic.js's tools, as `--clinic` names them. */
export const CLINIC_TOOLS = ['doctor', 'flame', 'bubbleprof', 'heapprofiler'] as const;
/** One Clinic.js tool. */
export type ClinicTool = (typeof CLINIC_TOOLS)[number];
/** Who collects the profile: Clinic.js itself, or Node's own --cpu-prof / --heap-prof. */
export type ProfileMethod = 'clinic' | 'node';

/** Tools Node's own profilers can stand in for, and the flag that does it. */
export const NODE_PROFILER_FLAGS: Partial<Record<ClinicTool, { flag: string; dirFlag: string; ext: string }>> = {
  flame: { flag: '--cpu-prof', dirFlag: '--cpu-prof-dir', ext: '.cpuprofile' },
  heapprofiler: { flag: '--heap-prof', dirFlag: '--heap-prof-dir', ext: '.heapprofile' },
};

/**
 * Why a tool cannot run on a Node major version, or undefined when it can. bubbleprof needs the async_hooks trace
 * events, which Node 20 no longer writes: Clinic 13 finds no trace log to join (and the target can crash under it).
 */
export function unavailableReason(tool: ClinicTool, nodeMajor: number): string | undefined {
  if (tool === 'bubbleprof' && nodeMajor >= 20) {
    return `Clinic bubbleprof does not work on Node ${nodeMajor}: it reads the async_hooks trace events, which this Node no longer writes (Clinic 13 finds no trace log to join); use doctor or flame`;
  }
  return undefined;
}

/** The running Node's major version. */
export function nodeMajor(version: string = process.version): number {
  return Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);
}

/**
 * Parses a tool name and method; a ConfigError naming the field when the name is unknown or cannot run here.
 * `clinicInstalled` says whether Clinic.js can be resolved (it is an optional peer dependency of the package).
 */
export function parseProfiler(raw: string, opts: { field: string; nodeProfiler?: boolean; nodeMajor?: number; clinicInstalled?: boolean }): { tool: ClinicTool; method: ProfileMethod } {
  if (!(CLINIC_TOOLS as readonly string[]).includes(raw)) {
    throw new ConfigError([{ path: opts.field, message: `must be one of ${CLINIC_TOOLS.join(', ')} (got "${raw}")` }], 'invalid arguments');
  }
  const tool = raw as ClinicTool;
  if (opts.nodeProfiler) {
    if (!NODE_PROFILER_FLAGS[tool]) throw new ConfigError([{ path: '--node-profiler', message: `Node has no own profiler for ${tool} (only flame: --cpu-prof, heapprofiler: --heap-prof)` }], 'invalid arguments');
    return { tool, method: 'node' };
  }
  const why = unavailableReason(tool, opts.nodeMajor ?? nodeMajor());
  if (why) throw new ConfigError([{ path: opts.field, message: why }], 'invalid arguments');
  if (opts.clinicInstalled === false) {
    throw new ConfigError([{ path: opts.field, message: `needs Clinic.js, an optional peer dependency: npm install --save-dev clinic@13 (or use --node-profiler for ${NODE_PROFILER_FLAGS[tool] ? tool : 'flame or heapprofiler'})` }], 'invalid arguments');
  }
  return { tool, method: 'clinic' };
}
