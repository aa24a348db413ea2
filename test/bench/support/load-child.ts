// One load-generator process for the benchmarks (pinned by the parent with taskset): perfgate's engine, undici,
// or autocannon, driven by a JSON argument; prints one JSON line with requests, duration, CPU and latency.

import { performance } from 'node:perf_hooks';
import type { LoadOptions } from '../../../src/scenario/types.ts';
// Each tool is imported only when it runs, so no tool's process carries another's code and heap.

interface Args {
  tool: 'perfgate' | 'autocannon' | 'undici';
  url: string;
  connections: number;
  durationS: number;
  /** Fixed total rate (req/s); closed loop without it. */
  rate?: number;
  think?: string;
  maxVUs?: number;
  /** Closed model with stages (ramping-vus) instead of constant VUs. */
  stages?: Array<{ duration: string; target: number }>;
}

const a = JSON.parse(process.argv[2]!) as Args;
const engineRun = a.tool === 'perfgate' ? await import('../../support/engine-run.ts') : undefined;
const autocannonTool = a.tool === 'autocannon' ? (await import('autocannon')).default : undefined;
const undiciTool = a.tool === 'undici' ? await import('undici') : undefined;
const histogram = a.tool === 'undici' ? await import('../../../src/metrics/histogram.ts') : undefined;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let requests = 0;
let p50Ms = 0;
let p99Ms = 0;
let p90Ms = 0;
let loadStartEpochMs: number | undefined;
let lagP99Ms: number | undefined;
let lagMedianMs: number | undefined;
let dropped: number | undefined;

if (a.tool === 'perfgate') {
  const { runEngine, allLatencies } = engineRun!;
  const load: LoadOptions = a.rate
    ? { executor: 'constant-arrival-rate', rate: a.rate, timeUnit: '1s', duration: `${a.durationS}s`, preAllocatedVUs: a.connections, maxVUs: a.maxVUs ?? a.connections * 4 }
    : a.stages
      ? { executor: 'ramping-vus', startVUs: 0, stages: a.stages }
      : { executor: 'constant-vus', vus: a.connections, duration: `${a.durationS}s` };
  const r = await runEngine({ name: 'bench', target: { baseUrl: a.url }, load, journeys: [{ name: 'j', steps: [{ name: 'root', path: '/', ...(a.think ? { think: a.think } : {}) }] }] });
  const h = allLatencies(r.reqs);
  requests = h.totalCount;
  p50Ms = h.getValueAtPercentile(50) / 1000;
  p99Ms = h.getValueAtPercentile(99) / 1000;
  p90Ms = h.getValueAtPercentile(90) / 1000;
  loadStartEpochMs = r.t0EpochMs + r.loadStartMs;
  lagP99Ms = Math.max(...r.ticks.map((t) => t.generatorLoopLagP99Ms));
  const lags = r.ticks.map((t) => t.generatorLoopLagP99Ms).sort((x, y) => x - y);
  lagMedianMs = lags[Math.floor(lags.length / 2)];
  dropped = r.ticks.reduce((x, t) => x + t.droppedIterations, 0);
} else if (a.tool === 'autocannon') {
  const autocannon = autocannonTool!;
  const result = await autocannon({ url: a.url, connections: a.connections, duration: a.durationS, ...(a.rate ? { overallRate: a.rate } : {}) });
  requests = result.requests.total;
  p50Ms = result.latency.p50;
  p99Ms = result.latency.p99;
} else {
  // undici: one Client-like pool of `connections`, each loop one request at a time, histogram per request.
  const { Pool } = undiciTool!;
  const { createHistogram, recordLatencyUs } = histogram!;
  const pool = new Pool(a.url, { connections: a.connections, pipelining: 1 });
  const h = createHistogram();
  const end = performance.now() + a.durationS * 1000;
  await Promise.all(
    Array.from({ length: a.connections }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        const res = await pool.request({ path: '/', method: 'GET' });
        await res.body.dump();
        recordLatencyUs(h, (performance.now() - s) * 1000);
        requests++;
      }
    }),
  );
  await pool.close();
  p50Ms = h.getValueAtPercentile(50) / 1000;
  p99Ms = h.getValueAtPercentile(99) / 1000;
}
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ tool: a.tool, requests, wallS, reqPerS: requests / a.durationS, cpuUsPerReq: (cpu.user + cpu.system) / requests, p50Ms, p90Ms, p99Ms, lagP99Ms, lagMedianMs, dropped, loadStartEpochMs }));
