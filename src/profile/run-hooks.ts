// A profiled run's hooks: the gate's, plus marking run.json `profiled` before the load, and after it stopping the
// profiled service gracefully (so its profiler writes) and collecting the profile before the verdict and report.

import type { RunHooks } from '../run/hooks.ts';
import { collectProfile } from './collect.ts';
import type { ProfilerChoice } from './launch.ts';

/** A service running under a profiler for this run. */
export interface ProfiledService {
  choice: ProfilerChoice;
  /** Where the profiler writes (copied into the run's profile/ at the end). */
  stageDir: string;
  /** Stops the service its profiler's way (SIGINT) and waits until it and the profiler have exited. */
  stop(): Promise<void>;
}

/** Wraps the hooks: beforeLoad marks the run; afterLoad (after the gate's, which stops the collectors) stops the service and collects. */
export function withProfile(inner: RunHooks, service: ProfiledService, onLog?: (line: string) => void): RunHooks {
  return {
    ...inner,
    async beforeLoad(ctx) {
      ctx.run.profiled = true;
      ctx.run.profiler = { tool: service.choice.tool, method: service.choice.method };
      await inner.beforeLoad?.(ctx);
    },
    async afterLoad(ctx) {
      await inner.afterLoad?.(ctx);
      const t0 = Date.now();
      onLog?.(`stopping the profiled service (SIGINT) so ${service.choice.method === 'clinic' ? `Clinic ${service.choice.tool}` : `Node's profiler`} writes its data`);
      await service.stop();
      const summary = await collectProfile(service.choice, service.stageDir, ctx.runDir);
      const took = `${((Date.now() - t0) / 1000).toFixed(1)} s`;
      onLog?.(summary.error ? `profile: ${summary.error} (${took})` : `profile written: ${summary.html ?? summary.data.join(', ')} (${took})`);
    },
  };
}
