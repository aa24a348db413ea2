// The profiling testbed knob: every request spends CPU_HOTSPOT_MS of CPU in one named function, cpuHotspot, so a
// profile of the service under load has a known hot spot to find (see the target's README). Off unless set.

import type { FastifyInstance } from 'fastify';

/** Burns the CPU for `ms` milliseconds of wall time in this one function (the name a CPU profile shows); returns a checksum. */
export function cpuHotspot(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  let i = 0;
  while (performance.now() < end) {
    for (let j = 0; j < 2_000; j++) x += Math.sqrt(++i) % 7;
  }
  return x;
}

/** Runs cpuHotspot(ms) at the start of every request. */
export function registerCpuHotspot(app: FastifyInstance, ms: number): void {
  app.addHook('onRequest', async () => {
    cpuHotspot(ms);
  });
}
