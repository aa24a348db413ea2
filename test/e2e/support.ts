// End-to-end helpers: gated runs against a real lab, into a temporary reports folder, with their verdicts.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDir, type RunData } from '../../src/results/read.ts';
import { runWithGate, type GateRunOptions, type GateRunOutcome } from '../../src/run/gate-run.ts';
import type { VerdictEntry } from '../../src/results/format.ts';

/** A temporary reports folder, removed by cleanup(). */
export async function tempReports(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-e2e-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs a scenario through the gate (quietly) and reads back its run directory. */
export async function gatedRun(opts: GateRunOptions & { reportsDir: string }): Promise<{ exitCode: number; data: RunData; reportHtml?: string }> {
  const outcome: GateRunOutcome = await runWithGate({ cwd: join(import.meta.dirname, '..', '..'), ...opts });
  return { exitCode: outcome.exitCode, data: await readRunDir(outcome.runDir), reportHtml: outcome.reportHtml };
}

/** The failed thresholds of a run, as `key expression` strings (with the observed value for messages). */
export function failures(data: RunData): string[] {
  return (data.verdict?.thresholds ?? []).filter((e: VerdictEntry) => !e.pass).map((e) => `${e.key} ${e.expression}`);
}

/** A one-line account of a verdict, for assertion messages. */
export function explain(data: RunData): string {
  const v = data.verdict;
  if (!v) return `no verdict (run ${data.run.status}: ${data.run.statusReason ?? ''})`;
  return `${v.status}: ${v.reason ?? ''} | ${(v.thresholds ?? []).map((e) => `${e.pass ? 'ok' : 'FAIL'} ${e.key} ${e.expression} = ${e.observed}`).join('; ')}`;
}
