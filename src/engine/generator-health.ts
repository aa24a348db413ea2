// The load generator's own health: process CPU and event-loop lag, per interval and over the whole run.

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Samples CPU use and event-loop delay; `interval()` returns and resets the per-interval figures. */
export class GeneratorHealth {
  private readonly perInterval: IntervalHistogram;
  private readonly wholeRun: IntervalHistogram;
  private lastCpu = process.cpuUsage();
  private lastAtMs = performance.now();

  constructor() {
    this.perInterval = monitorEventLoopDelay({ resolution: 10 });
    this.wholeRun = monitorEventLoopDelay({ resolution: 10 });
    this.perInterval.enable();
    this.wholeRun.enable();
  }

  /** CPU in cores (1 = one core busy) and loop-lag p99 in ms since the last call. */
  interval(): { generatorCpu: number; generatorLoopLagP99Ms: number } {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const wallUs = (now - this.lastAtMs) * 1000;
    this.lastCpu = process.cpuUsage();
    this.lastAtMs = now;
    const lag = this.perInterval.count > 0 ? this.perInterval.percentile(99) / 1e6 : 0;
    this.perInterval.reset();
    return {
      generatorCpu: wallUs > 0 ? Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 1000 : 0,
      generatorLoopLagP99Ms: Math.round(lag * 100) / 100,
    };
  }

  /** Loop-lag p99 over the whole run, ms. */
  runLagP99Ms(): number {
    return this.wholeRun.count > 0 ? this.wholeRun.percentile(99) / 1e6 : 0;
  }

  /** Stops sampling. */
  stop(): void {
    this.perInterval.disable();
    this.wholeRun.disable();
  }
}
