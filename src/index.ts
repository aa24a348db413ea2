// perfgate's public library API: define scenarios, the SLO catalogue, load and run scenarios, and the run-directory
// types.

export { defineScenario } from './scenario/define.ts';
export { loadScenario, type ResolvedScenario, type LoadScenarioOptions } from './scenario/load.ts';
export { validateScenario } from './scenario/schema.ts';
export type { LoadOverrides } from './scenario/overrides.ts';
export { slos, mergeSlos, onPhase, type SloSet } from '../scenarios/slos.ts';
export type * from './scenario/types.ts';
export { runScenario, type RunScenarioOptions, MAX_LOOP_LAG_P99_MS, MAX_DROPPED_SHARE } from './run/run-scenario.ts';
export { RunHandle, type RunOutcome, type RunEvents } from './run/run-handle.ts';
export type { RunHooks, RunContext, FinalizeContext } from './run/hooks.ts';
export { attachProgress } from './run/progress.ts';
export { readRunDir, readRecords } from './results/read.ts';
export { RunDirWriter } from './results/run-dir-writer.ts';
export type * from './results/format.ts';
export { ConfigError, InvalidRunError, HostNotAllowedError, RunDirError, EXIT, exitCodeFor } from './errors.ts';
