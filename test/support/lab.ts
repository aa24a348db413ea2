// Test helper: the whole lab (PG, Redis, optional PgBouncer, upstream, target) for integration tests.

import { startLab, type Lab, type LabOptions } from '../../src/lab/lab.ts';

export type { Lab, LabOptions };
export type { LabInfo } from '../../src/lab/lab-info.ts';

/**
 * Starts a lab for a test: seed `small`, PostgreSQL without fsync, no signal handlers (node:test owns the process).
 * Call in `before` (allow ~30 s) and `await lab.stop()` in `after`.
 */
export function startTestLab(opts: LabOptions = {}): Promise<Lab> {
  return startLab({ seed: 'small', unsafeNoFsync: true, handleSignals: false, tokens: 50, ...opts });
}
