// Worker-thread entry: runs one shard of the load and posts its interval records to the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { startLocal, type LoadSpec } from './load-runner.ts';

const { spec, shard } = workerData as { spec: LoadSpec; shard: { index: number; count: number } };
const port = parentPort!;

try {
  const load = await startLocal(spec, shard, {
    onRecords: (records) => port.postMessage({ type: 'records', records }),
    onError: (err) => port.postMessage({ type: 'error', message: err.message }),
  });
  port.on('message', (m: { type: string; graceMs?: number; loadStartMs?: number; globals?: Record<string, unknown> }) => {
    if (m.type === 'begin') {
      load.begin(m.loadStartMs!).then((result) => {
        port.postMessage({ type: 'done', result });
        port.close();
      }, (err: Error) => port.postMessage({ type: 'fatal', message: err.message }));
    } else if (m.type === 'end') load.end(m.graceMs);
    else if (m.type === 'kill') load.kill();
    else if (m.type === 'globals') load.updateGlobals(m.globals!);
  });
  port.postMessage({ type: 'ready' });
} catch (err) {
  port.postMessage({ type: 'fatal', message: (err as Error).message });
}
