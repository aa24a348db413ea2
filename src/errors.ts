// Typed errors: every failure perfgate expects carries a literal code, and the CLI maps codes to exit codes.
// exitCodeForOutcome is the one place where a run's outcome becomes its exit code (DESIGN.md "Exit codes").

import type { RunStatus, VerdictStatus } from './results/format.ts';

/** Exit codes, k6-compatible where k6 has one (see DESIGN.md "Exit codes"). */
export const EXIT = {
  ok: 0,
  internal: 1,
  thresholdsFailed: 99,
  invalidRun: 103,
  invalidConfig: 104,
  interrupted: 105,
} as const;

/** One problem found while validating input: the field path and what is wrong with it. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Base class of perfgate's expected errors; `code` tells them apart without instanceof. */
export abstract class PerfgateError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;
}

/** Invalid scenario, threshold, flag or configuration; lists every problem at once (exit 104). */
export class ConfigError extends PerfgateError {
  readonly code = 'CONFIG' as const;
  readonly exitCode = EXIT.invalidConfig;
  constructor(
    readonly issues: ConfigIssue[],
    context = 'invalid configuration',
  ) {
    super(`${context}:\n${issues.map((i) => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The run's results cannot be trusted (generator saturated, preflight failed) (exit 103). */
export class InvalidRunError extends PerfgateError {
  readonly code = 'INVALID_RUN' as const;
  readonly exitCode = EXIT.invalidRun;
  override name = 'InvalidRunError';
}

/** A target host that is not loopback and was not allowed (exit 104). */
export class HostNotAllowedError extends PerfgateError {
  readonly code = 'HOST_NOT_ALLOWED' as const;
  readonly exitCode = EXIT.invalidConfig;
  override name = 'HostNotAllowedError';
}

/** A prerequisite (binary, service) is missing; the message says how to install it (exit 1). */
export class PrerequisiteError extends PerfgateError {
  readonly code = 'PREREQUISITE' as const;
  readonly exitCode = EXIT.internal;
  override name = 'PrerequisiteError';
}

/** A run directory that is missing, unreadable or of an unknown format (exit 104). */
export class RunDirError extends PerfgateError {
  readonly code = 'RUN_DIR' as const;
  readonly exitCode = EXIT.invalidConfig;
  override name = 'RunDirError';
}

/** The lab could not start or stop a service; names the service and its log (exit 1). */
export class LabError extends PerfgateError {
  readonly code = 'LAB' as const;
  readonly exitCode = EXIT.internal;
  override name = 'LabError';
}

/** Maps any thrown value to the process exit code. */
export function exitCodeFor(err: unknown): number {
  return err instanceof PerfgateError ? err.exitCode : EXIT.internal;
}

/** What a finished run came to, as far as its exit code is concerned. */
export interface RunOutcomeFacts {
  /** run.json's status (`running` in a run.json means the run was killed before it could say). */
  status: RunStatus;
  /** Thresholds evaluated, and how many of them failed. */
  thresholds: number;
  failedThresholds: number;
  /** Alert rules that would have fired, and whether that fails the run (--fail-on-alerts). */
  firedAlerts: number;
  failOnAlerts?: boolean;
}

/**
 * The verdict status and exit code of a run, in this precedence, the first that applies winning: invalid (103) >
 * interrupted (105) > aborted by a threshold (99) > a threshold failed (99) > an alert fired with failOnAlerts (99) >
 * nothing judged (0: no thresholds, as k6) > pass (0). Invalid wins over interrupted: numbers that cannot be
 * trusted stay untrusted when they are also partial.
 */
export function exitCodeForOutcome(o: RunOutcomeFacts): { status: VerdictStatus; exitCode: number } {
  if (o.status === 'invalid') return { status: 'invalid', exitCode: EXIT.invalidRun };
  if (o.status === 'interrupted' || o.status === 'running') return { status: 'interrupted', exitCode: EXIT.interrupted };
  if (o.status === 'aborted') return { status: 'aborted', exitCode: EXIT.thresholdsFailed };
  if (o.failedThresholds > 0) return { status: 'fail', exitCode: EXIT.thresholdsFailed };
  if (o.failOnAlerts && o.firedAlerts > 0) return { status: 'fail', exitCode: EXIT.thresholdsFailed };
  if (o.thresholds === 0) return { status: 'no-thresholds', exitCode: EXIT.ok };
  return { status: 'pass', exitCode: EXIT.ok };
}
