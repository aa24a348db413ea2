// The cluster primary: forks TARGET_WORKERS workers on one shared port, replaces crashed ones, aggregates /metrics.
//
// /metrics with several workers: a worker that receives GET /metrics asks the primary over IPC; the primary asks
// every worker that is listening for its registry as JSON, merges them with prom-client's AggregatorRegistry.aggregate
// (sums counters and histograms; circuit_breaker_state takes the max) and hands the text back. So /metrics stays on
// the service's port and covers all workers. A worker still starting is not asked, and one that does not answer
// within COLLECT_TIMEOUT_MS is left out, so a crash or a replacement never blocks a scrape.

import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { PemKeyPair } from '../auth/keys.ts';
import type { TargetConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { isIpc } from './ipc.ts';

/** A worker that dies more often than this within RESTART_WINDOW_MS means something is broken: stop, exit 1. */
const MAX_RESTARTS = 10;
const RESTART_WINDOW_MS = 30_000;
/** Graceful shutdown budget before stragglers are killed (the contract is 5 s overall). */
const SHUTDOWN_DEADLINE_MS = 4500;
/** How long a scrape waits for the workers' registries. */
const COLLECT_TIMEOUT_MS = 1500;

/** Runs the primary until a signal stops it; prints the listening event once every worker listens. */
export function runPrimary(config: TargetConfig, pem: PemKeyPair, onListening: (port: number, workerPids: number[]) => void): void {
  // pipeline: fork N -> each says hello -> send keys -> each listens -> print listening event
  //           worker exit (not shutting down) -> log -> fork a replacement (bounded restarts)
  //           SIGTERM/SIGINT -> tell workers to drain -> wait (deadline, then SIGKILL) -> exit 0
  const logger = createLogger(config.logLevel, 'primary');
  const listening = new Set<number>();
  let nextCollectId = 1;
  const collecting = new Map<number, { parts: unknown[][]; waiting: Set<number>; done: () => void }>();

  /** Gathers the registries of the listening workers and merges them into Prometheus text. */
  const aggregate = async (): Promise<string> => {
    const id = nextCollectId++;
    const targets = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && listening.has(w.id) && w.isConnected());
    const parts: unknown[][] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => resolve(), COLLECT_TIMEOUT_MS);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      collecting.set(id, { parts, waiting: new Set(targets.map((w) => w.id)), done });
      if (targets.length === 0) done();
      for (const w of targets) w.send({ type: 'perfgate:collect', id });
    });
    collecting.delete(id);
    return AggregatorRegistry.aggregate(parts as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics();
  };
  const restarts: number[] = [];
  let announced = false;
  let shuttingDown = false;

  const fork = (): Worker => cluster.fork();

  cluster.on('message', (worker, msg: unknown) => {
    if (isIpc(msg, 'perfgate:hello')) {
      worker.send({ type: 'perfgate:init', keys: pem });
    } else if (isIpc(msg, 'perfgate:collected')) {
      const c = collecting.get(msg.id);
      if (!c || !c.waiting.delete(worker.id)) return;
      c.parts.push(msg.metrics);
      if (c.waiting.size === 0) c.done();
    } else if (isIpc(msg, 'perfgate:metrics-req')) {
      aggregate()
        .then((text) => worker.isConnected() && worker.send({ type: 'perfgate:metrics-res', id: msg.id, text }))
        .catch((err: Error) => worker.isConnected() && worker.send({ type: 'perfgate:metrics-res', id: msg.id, error: err.message }));
    }
  });

  cluster.on('listening', (worker, address) => {
    listening.add(worker.id);
    if (announced) {
      logger.info({ workerPid: worker.process.pid }, 'replacement worker listening');
      return;
    }
    if (listening.size >= config.workers) {
      announced = true;
      const pids = Object.values(cluster.workers ?? {}).map((w) => w!.process.pid!);
      onListening(address.port, pids);
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    for (const c of collecting.values()) if (c.waiting.delete(worker.id) && c.waiting.size === 0) c.done();
    if (shuttingDown) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      logger.fatal({ restarts: restarts.length }, 'workers keep dying; giving up');
      void shutdown(1);
      return;
    }
    const replacement = fork();
    logger.warn(
      { event: 'worker_replaced', deadPid: worker.process.pid, code, signal, newPid: replacement.process.pid },
      'worker exited; started a replacement',
    );
  });

  const shutdown = async (exitCode: number): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down workers');
    const workers = Object.values(cluster.workers ?? {}) as Worker[];
    if (exitCode !== 0) process.exitCode = exitCode;
    if (workers.length === 0) process.exit(exitCode);
    for (const w of workers) if (w.isConnected()) w.send({ type: 'perfgate:shutdown' });
    setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {}) as Worker[]) w.process.kill('SIGKILL');
      process.exit(exitCode);
    }, SHUTDOWN_DEADLINE_MS).unref();
  };
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));

  // SCHED_NONE: every worker accepts on the shared socket itself. With round-robin, the primary hands each accepted
  // connection to a worker and waits for its ack, so a connection handed to a worker at the instant it dies is
  // orphaned and its client hangs; here such a connection either dies with the worker or waits for another one.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  for (let i = 0; i < config.workers; i++) fork();
}
