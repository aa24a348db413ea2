// Memory benchmark child: a full runScenario (run directory written) in the open model; prints RSS every 10 s.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../../src/run/run-scenario.ts';

const [url, rate, durationS] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const dir = mkdtempSync(join(tmpdir(), 'perfgate-mem-'));
const samples: Array<[number, number]> = [];
const start = Date.now();
const timer = setInterval(() => samples.push([(Date.now() - start) / 1000, process.memoryUsage().rss / 1e6]), 10_000);
const outcome = await runScenario({
  scenario: { name: 'memory', target: { baseUrl: url }, load: { executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: `${durationS}s`, preAllocatedVUs: 50, maxVUs: 400 },
    journeys: [{ name: 'j', steps: [{ name: 'root', path: '/' }] }] },
  out: join(dir, 'run'),
  saturation: { maxLoopLagP99Ms: 1e9, maxDroppedShare: 1 },
});
clearInterval(timer);
const { readRunDir } = await import('../../../src/results/read.ts');
const data = await readRunDir(outcome.runDir);
const requests = data.intervals.reduce((a, r) => a + (r.type === 'req' ? r.count : 0), 0);
const dropped = data.intervals.reduce((a, r) => a + (r.type === 'tick' ? r.droppedIterations : 0), 0);
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ samples, status: outcome.run.status, requests, dropped }));
