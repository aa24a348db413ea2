// The recovery drills as fault actions of a scenario's schedule: each runs its whole procedure from its `at`, on the
// lab's recovery kit, and writes its figures as `recovery_*` samples.

import type { SampleRecord } from '../../results/format.ts';
import type { RecoveryKit } from '../../lab/recovery/kit.ts';
import { ConfigError } from '../../errors.ts';
import type { DrillContext } from './drill-kit.ts';
import { runRestoreDrill } from './restore-drill.ts';
import { runPitrDrill } from './pitr-drill.ts';
import { runFailoverDrill } from './failover-drill.ts';

/** The drills by fault action name. */
export const RECOVERY_DRILLS: Record<string, (ctx: DrillContext) => Promise<void>> = {
  'recovery-restore': runRestoreDrill,
  'recovery-pitr': runPitrDrill,
  'recovery-failover': runFailoverDrill,
};

/** Runs one recovery drill on the lab's kit; a lab without the kit is a ConfigError naming what to set. */
export function runRecoveryAction(
  action: string,
  lab: { recovery?: RecoveryKit },
  params: Record<string, unknown>,
  ctx: { clock: () => number; writeSample: (s: SampleRecord) => void; targetUrl?: string; onLog?: (line: string) => void },
): Promise<void> {
  const run = RECOVERY_DRILLS[action];
  if (!run) throw new ConfigError([{ path: 'faults', message: `unknown recovery drill "${action}"` }], 'invalid faults');
  if (!lab.recovery || !ctx.targetUrl) {
    throw new ConfigError([{ path: 'lab.recovery', message: `${action} needs a lab of its own started with recovery (set the scenario's lab.recovery: true and run with --lab)` }], 'invalid faults');
  }
  return run({ kit: lab.recovery, targetUrl: ctx.targetUrl, clock: ctx.clock, writeSample: ctx.writeSample, params, onLog: ctx.onLog });
}
