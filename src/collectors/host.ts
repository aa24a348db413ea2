// The machine and the generator: host CPU and memory from /proc (Linux), the service's share of the machine's CPU,
// the generator process's CPU (process.cpuUsage) and event-loop lag p99 (perf_hooks.monitorEventLoopDelay).
//
// service_cpu_utilization is what a "resources < 70%" promise is about: the CPU the service under test used, as a
// share of the machine, without the load generator that shares the lab's host. With the lab's process groups known
// (target, PostgreSQL, Redis, PgBouncer), it is the sum of their processes' utime + stime over the interval
// (basis "lab-processes"; a neighbour on the machine does not count). Without them (a target of the user's), it is
// the machine's busy share minus perfgate's own process (basis "host-minus-generator").

import { readdirSync, readFileSync } from 'node:fs';
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

/** The process group and the CPU ticks (utime + stime) of one /proc/<pid>/stat line, or undefined when malformed. */
export function parsePidStat(text: string): { pgrp: number; ticks: number } | undefined {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/);
  const [pgrp, utime, stime] = [Number(f[2]), Number(f[11]), Number(f[12])];
  return [pgrp, utime, stime].every(Number.isFinite) ? { pgrp, ticks: utime + stime } : undefined;
}

/** CPU ticks of every process in the given process groups, by PID (Linux /proc). */
function groupTicks(procDir: string, groups: ReadonlySet<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync(procDir)) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`${procDir}/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited between the listing and the read
    }
    const st = parsePidStat(text);
    if (st && groups.has(st.pgrp)) out.set(Number(entry), st.ticks);
  }
  return out;
}

/**
 * The ticks the processes used between two readings: a PID seen both times contributes its growth, a new one all of
 * its ticks (it started within the interval); one that exited meanwhile is lost for its last interval (pure).
 */
export function ticksBetween(prev: ReadonlyMap<number, number>, now: ReadonlyMap<number, number>): number {
  let sum = 0;
  for (const [pid, ticks] of now) sum += Math.max(0, ticks - (prev.get(pid) ?? 0));
  return sum;
}

/** Options of the host collector. */
export interface HostCollectorOptions {
  /** Process group ids of the service under test (the lab's services); without them the basis is host minus generator. */
  serviceGroups?: readonly number[];
}

/** Host CPU utilisation (busy/total jiffies over the interval), the service's share of it, and memory utilisation. */
export function createHostCollector(procDir = '/proc', opts: HostCollectorOptions = {}): Collector {
  const groups = opts.serviceGroups?.length ? new Set(opts.serviceGroups) : undefined;
  let prev: { busy: number; total: number; service: Map<number, number>; ownUs: number } | undefined;
  const ownUs = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  return {
    name: 'host',
    metrics: ['host_cpu_utilization', 'service_cpu_utilization', 'host_memory_utilization'],
    async sample(): Promise<CollectorSample[]> {
      // procfs reads are in-memory and take microseconds: synchronous reads cost less than the thread pool's round trip.
      const stat = readFileSync(`${procDir}/stat`, 'utf8');
      const meminfo = readFileSync(`${procDir}/meminfo`, 'utf8');
      const out: CollectorSample[] = [];
      const cpu = parseProcStat(stat);
      const now = { ...cpu, service: groups ? groupTicks(procDir, groups) : new Map<number, number>(), ownUs: ownUs() };
      if (prev && cpu.total > prev.total) {
        const total = cpu.total - prev.total;
        const busyShare = Math.max(0, cpu.busy - prev.busy) / total;
        out.push({ source: 'host', metric: 'host_cpu_utilization', value: busyShare });
        if (groups) {
          out.push({ source: 'host', metric: 'service_cpu_utilization', value: Math.min(1, ticksBetween(prev.service, now.service) / total), labels: { basis: 'lab-processes' } });
        } else {
          // total counts the ticks of every core at USER_HZ = 100/s: perfgate's CPU seconds * 100 / total is its share.
          const ownShare = (now.ownUs - prev.ownUs) / 1e4 / total;
          out.push({ source: 'host', metric: 'service_cpu_utilization', value: Math.max(0, busyShare - ownShare), labels: { basis: 'host-minus-generator' } });
        }
      }
      prev = now;
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
