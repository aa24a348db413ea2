// The harness' own metrics while a run goes (k6's Prometheus output, pulled): a prom-client registry fed by the run's
// events (each closed interval, each collector sample) and served at /metrics on a loopback port. Request rate,
// errors by class, a latency histogram on the SLO bucket edges, VUs, phase, dropped iterations, generator health,
// and the server readings perfgate's collectors took (pool, cache, Redis and host memory) for rules that read them.

import { statfsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HTTP_SLO_BUCKETS_S } from '../metrics/buckets.ts';
import { mergeEncodedSparse } from '../metrics/sparse-histogram.ts';
import type { IntervalRecord, RunJson, SampleRecord } from '../results/format.ts';
import type { RunHandle } from './run-handle.ts';

/** The collector readings the harness re-exposes as `perfgate_<metric>` gauges. */
export const MIRRORED_SAMPLES = ['db_pool_utilization', 'cache_hit_ratio', 'redis_memory_utilization', 'host_memory_utilization', 'host_cpu_utilization', 'pg_lock_waiting', 'pg_connections', 'fault_active'] as const;

/** The live metrics endpoint of a run. */
export interface HarnessMetrics {
  /** http://127.0.0.1:<port>/metrics */
  url: string;
  port: number;
  registry: Registry;
  /** Feeds one closed interval's records. */
  onRecords(records: readonly IntervalRecord[]): void;
  /** Feeds one collector sample. */
  onSample(sample: SampleRecord): void;
  /** Feeds the run as it starts (its id, scenario and the clock's wall-clock origin). */
  onStart(run: RunJson): void;
  close(): Promise<void>;
}

/** The registry's metrics. */
function createHarnessRegistry() {
  const registry = new Registry();
  const r = [registry];
  return {
    registry,
    reqs: new Counter({ name: 'perfgate_http_reqs_total', help: 'HTTP requests the harness sent, by step and method.', labelNames: ['name', 'method'], registers: r }),
    failed: new Counter({ name: 'perfgate_http_req_failed_total', help: 'Failed requests, by step and error class.', labelNames: ['name', 'error_class'], registers: r }),
    duration: new Histogram({ name: 'perfgate_http_req_duration_seconds', help: 'Client latency (failures included), on the SLO bucket edges.', labelNames: ['expected_response'], buckets: [...HTTP_SLO_BUCKETS_S], registers: r }),
    vus: new Gauge({ name: 'perfgate_vus', help: 'Active virtual users.', registers: r }),
    vusMax: new Gauge({ name: 'perfgate_vus_max', help: 'The most virtual users active in the last interval.', registers: r }),
    iterations: new Counter({ name: 'perfgate_iterations_total', help: 'Journey iterations completed.', registers: r }),
    dropped: new Counter({ name: 'perfgate_dropped_iterations_total', help: 'Iterations that could not start (open model).', registers: r }),
    phase: new Gauge({ name: 'perfgate_phase_active', help: '1 for the phase (stage name) the load is in, 0 for the others seen.', labelNames: ['phase'], registers: r }),
    cpu: new Gauge({ name: 'perfgate_generator_cpu_cores', help: "The load generator's CPU, in cores.", registers: r }),
    lag: new Gauge({ name: 'perfgate_generator_event_loop_lag_p99_seconds', help: "The load generator's event-loop lag p99 over the last interval.", registers: r }),
    loadStart: new Gauge({ name: 'perfgate_load_start_timestamp_seconds', help: 'When the load started (Unix time).', registers: r }),
    info: new Gauge({ name: 'perfgate_run_info', help: 'The run in progress.', labelNames: ['run_id', 'scenario', 'profile'], registers: r }),
    // the disk the run writes to (in the lab, the lab's disk too), read at each scrape; node_exporter's in production
    disk: new Gauge({ name: 'perfgate_host_disk_utilization', help: 'Used share of the file system of the working folder.', registers: r, collect() {
      const fs = statfsSync(process.cwd());
      if (fs.blocks > 0) this.set(1 - fs.bavail / fs.blocks);
    } }),
    mirrored: Object.fromEntries(MIRRORED_SAMPLES.map((m) => [m, new Gauge({ name: `perfgate_${m}`, help: `perfgate's collector reading ${m}.`, labelNames: ['state'], registers: r })])),
  };
}

/** Observes an interval's encoded latency histogram on the SLO edges: each value at its bucket's upper edge. */
function observeHistogram(h: Histogram<'expected_response'>, encoded: string[], expected: 'true' | 'false'): void {
  const sparse = mergeEncodedSparse(encoded);
  if (sparse.totalCount === 0) return;
  const cum = sparse.cumulativeAtUs(HTTP_SLO_BUCKETS_S.map((b) => b * 1e6));
  let below = 0;
  HTTP_SLO_BUCKETS_S.forEach((edge, i) => {
    for (let k = below; k < cum[i]; k++) h.observe({ expected_response: expected }, edge);
    below = cum[i];
  });
  const beyond = (sparse.maxUs() ?? 0) / 1e6;
  for (let k = below; k < sparse.totalCount; k++) h.observe({ expected_response: expected }, beyond);
}

/** Starts the endpoint on 127.0.0.1:`port` (0: a free port). */
export async function startHarnessMetrics(port = 0): Promise<HarnessMetrics> {
  const m = createHarnessRegistry();
  let t0EpochMs = Date.now();
  const phases = new Set<string>();
  let loadStarted = false;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    m.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': m.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    port: bound,
    registry: m.registry,
    onStart(run) {
      t0EpochMs = Date.parse(run.startedAt);
      m.info.set({ run_id: run.id, scenario: run.scenario, profile: run.profile }, 1);
    },
    onRecords(records) {
      for (const r of records) {
        if (r.type === 'req') {
          m.reqs.inc({ name: r.name, method: r.method }, r.count);
          for (const [cls, n] of Object.entries(r.errors)) if (n) m.failed.inc({ name: r.name, error_class: cls }, n);
          observeHistogram(m.duration, [r.okHist], 'true');
          observeHistogram(m.duration, [r.failHist], 'false');
          continue;
        }
        if (!loadStarted) m.loadStart.set((t0EpochMs + r.tMs) / 1000);
        loadStarted = true;
        m.vus.set(r.vus);
        m.vusMax.set(r.vusMax);
        m.iterations.inc(r.iterations);
        m.dropped.inc(r.droppedIterations);
        m.cpu.set(r.generatorCpu);
        m.lag.set(r.generatorLoopLagP99Ms / 1000);
        if (r.phase) phases.add(r.phase);
        for (const p of phases) m.phase.set({ phase: p }, p === r.phase ? 1 : 0);
      }
    },
    onSample(s) {
      const g = (m.mirrored as Record<string, Gauge<'state'>>)[s.metric];
      if (g && s.value !== null && Number.isFinite(s.value)) g.set(s.labels?.state ? { state: s.labels.state } : {}, s.value);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Feeds a run's events into the endpoint; closes it when the run is done or fails. */
export function attachHarnessMetrics(handle: RunHandle, metrics: HarnessMetrics): void {
  handle.on('start', ({ run }) => metrics.onStart(run));
  handle.on('tick', (records) => metrics.onRecords(records));
  handle.on('sample', (s) => metrics.onSample(s));
}
