// The machine and the generator: host CPU and memory from /proc (Linux), the generator process's CPU
// (process.cpuUsage) and event-loop lag p99 (perf_hooks.monitorEventLoopDelay).

import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Collector, CollectorSample } from './types.ts';

/** Busy and total jiffies from the aggregate `cpu` line of /proc/stat. */
export function parseProcStat(text: string): { busy: number; total: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no aggregate cpu line');
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already inside user and nice)
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) throw new Error('/proc/stat cpu line is malformed');
  const total = f.reduce((a, b) => a + b, 0);
  const idle = f[3] + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/** 1 - MemAvailable / MemTotal from /proc/meminfo. */
export function parseMeminfo(text: string): number {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (!total || available === undefined) throw new Error('/proc/meminfo lacks MemTotal or MemAvailable');
  return 1 - available / total;
}

/** Host CPU utilisation (busy/total jiffies over the interval) and memory utilisation. */
export function createHostCollector(procDir = '/proc'): Collector {
  let prev: { busy: number; total: number } | undefined;
  return {
    name: 'host',
    metrics: ['host_cpu_utilization', 'host_memory_utilization'],
    async sample(): Promise<CollectorSample[]> {
      // procfs reads are in-memory and take microseconds: synchronous reads cost less than the thread pool's round trip.
      const stat = readFileSync(`${procDir}/stat`, 'utf8');
      const meminfo = readFileSync(`${procDir}/meminfo`, 'utf8');
      const out: CollectorSample[] = [];
      const cpu = parseProcStat(stat);
      if (prev && cpu.total > prev.total) {
        out.push({ source: 'host', metric: 'host_cpu_utilization', value: Math.max(0, cpu.busy - prev.busy) / (cpu.total - prev.total) });
      }
      prev = cpu;
      out.push({ source: 'host', metric: 'host_memory_utilization', value: parseMeminfo(meminfo) });
      return out;
    },
    async close(): Promise<void> {},
  };
}

/** Options of the generator collector. */
export interface GeneratorCollectorOptions {
  /**
   * The event-loop lag p99 (ms) since the previous call, from a monitor the engine already runs; sharing it saves
   * a second monitor's timer wake-ups. Without it, the collector runs its own (20 ms resolution).
   */
  loopLagP99Ms?: () => number;
}

/** The generator's own CPU (cores) and event-loop lag p99 (ms) over each interval. */
export function createGeneratorCollector(opts: GeneratorCollectorOptions = {}): Collector {
  // Each monitor tick wakes the event loop: 20 ms costs about half of what 10 ms does, and still sees a stall.
  const resolutionMs = 20;
  const loop = opts.loopLagP99Ms ? undefined : monitorEventLoopDelay({ resolution: resolutionMs });
  loop?.enable();
  const lagP99Ms = (): number => {
    if (opts.loopLagP99Ms) return opts.loopLagP99Ms();
    if (!loop || loop.count === 0) return 0;
    // The histogram records whole timer periods: an idle loop reads ~resolutionMs, so subtract it.
    const lag = Math.max(0, loop.percentile(99) / 1e6 - resolutionMs);
    loop.reset();
    return lag;
  };
  let prevCpu = process.cpuUsage();
  let prevWall = performance.now();
  return {
    name: 'generator',
    metrics: ['generator_cpu', 'generator_event_loop_lag'],
    async sample(): Promise<CollectorSample[]> {
      const cpu = process.cpuUsage();
      const wall = performance.now();
      const usedUs = cpu.user - prevCpu.user + (cpu.system - prevCpu.system);
      const wallUs = (wall - prevWall) * 1000;
      prevCpu = cpu;
      prevWall = wall;
      return [
        { source: 'generator', metric: 'generator_cpu', value: wallUs > 0 ? usedUs / wallUs : 0 },
        { source: 'generator', metric: 'generator_event_loop_lag', value: lagP99Ms() },
      ];
    },
    async close(): Promise<void> {
      loop?.disable();
    },
  };
}
