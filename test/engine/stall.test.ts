import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStallServer } from '../support/servers.ts';
import { allLatencies, runEngine } from '../support/engine-run.ts';

// A server that freezes for 1 s every 5 s, driven at a constant 100 requests/s: 20% of the intended sends fall
// into a freeze and wait up to 1 s, so an honest p99 is ~900 ms. A closed loop sends nothing while it waits
// and reports a p99 of a few ms: coordinated omission.
test('a stalled target shows in p99 under the open model, and a closed loop would hide it', async () => {
  const server = await startStallServer({ periodMs: 5000, stallMs: 1000 });
  try {
    const open = await runEngine({
      name: 'stall-open', target: { baseUrl: server.url },
      load: { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '12s', preAllocatedVUs: 20, maxVUs: 200 },
      journeys: [{ name: 'j', steps: [{ name: 'root', path: '/' }] }],
    });
    const h = allLatencies(open.reqs);
    const p50 = h.getValueAtPercentile(50) / 1000;
    const p99 = h.getValueAtPercentile(99) / 1000;
    assert.ok(h.totalCount >= 1190, `${h.totalCount} requests`);
    assert.equal(open.ticks.reduce((a, t) => a + t.droppedIterations, 0), 0);
    assert.ok(p99 >= 500 && p99 <= 1100, `open-model p99 ${p99} ms should be in the hundreds of ms`);
    assert.ok(p50 < 50, `open-model p50 ${p50} ms should stay the server's own latency`);

    const closed = await runEngine({
      name: 'stall-closed', target: { baseUrl: server.url },
      load: { executor: 'constant-vus', vus: 4, duration: '6s' },
      journeys: [{ name: 'j', steps: [{ name: 'root', path: '/' }] }],
    });
    const hc = allLatencies(closed.reqs);
    const closedP99 = hc.getValueAtPercentile(99) / 1000;
    assert.ok(hc.maxValue / 1000 > 300, 'the closed loop did meet a freeze');
    assert.ok(closedP99 < 100, `closed-loop p99 ${closedP99} ms hides the freeze`);
    console.log(`stall: open p50 ${p50.toFixed(1)} ms p99 ${p99.toFixed(0)} ms; closed-loop p99 ${closedP99.toFixed(1)} ms (max ${(hc.maxValue / 1000).toFixed(0)} ms)`);
  } finally {
    await server.close();
  }
});
