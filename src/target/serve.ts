// `serve`: a cluster primary with TARGET_WORKERS workers (or, with 0, one process); prints the listening event.

import cluster from 'node:cluster';
import { generatePemKeyPair, readPemKeyPair, type PemKeyPair } from './auth/keys.ts';
import { runPrimary } from './cluster/primary.ts';
import { isIpc } from './cluster/ipc.ts';
import { startServer, type RunningServer } from './cluster/worker.ts';
import { parseTargetConfig } from './config.ts';

/** Graceful shutdown budget; the process exits 0 when it is spent even if a drain is still running. */
const SHUTDOWN_DEADLINE_MS = 4500;

/** Prints the one stdout line the lab waits for. */
function announce(port: number, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port, pid: process.pid, ...extra })}\n`);
}

/**
 * Closes the server on the first signal (or message), then exits 0; the deadline bounds a slow drain. With
 * `drain`, the process is left to exit once its event loop is empty, so a profiler writing its data on SIGINT
 * (Clinic heapprofiler) finishes first.
 */
function exitGracefully(server: RunningServer, mode: 'now' | 'drain' = 'now'): () => void {
  let started = false;
  return () => {
    if (started) return;
    started = true;
    setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS).unref();
    void server.close().then(() => {
      if (mode === 'now') process.exit(0);
      else process.exitCode = 0;
    });
  };
}

/** Runs `serve` in the current process (the primary, the single server, or a cluster worker). */
export async function serve(env: Record<string, string | undefined>): Promise<void> {
  // pipeline: config -> keys (files, or ephemeral from the primary) -> primary + workers | (0) single server
  const config = parseTargetConfig(env);
  if (cluster.isWorker) {
    const keys = await new Promise<PemKeyPair>((resolve) => {
      const onMessage = (msg: unknown): void => {
        if (!isIpc(msg, 'perfgate:init')) return;
        process.off('message', onMessage);
        resolve(msg.keys);
      };
      process.on('message', onMessage);
      process.send!({ type: 'perfgate:hello' });
    });
    const server = await startServer(config, keys);
    const stop = exitGracefully(server);
    process.on('message', (msg) => isIpc(msg, 'perfgate:shutdown') && stop());
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('disconnect', stop); // the primary is gone: do not linger as an orphan
    return;
  }
  const keys =
    config.jwtPrivateKeyFile && config.jwtPublicKeyFile
      ? await readPemKeyPair(config.jwtPrivateKeyFile, config.jwtPublicKeyFile)
      : await generatePemKeyPair();
  if (config.workers >= 1) {
    runPrimary(config, keys, (port, workerPids) => announce(port, { workers: workerPids }));
    return;
  }
  const server = await startServer(config, keys);
  const stop = exitGracefully(server, config.shutdownExit);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  announce(server.port, { workers: [] });
}
