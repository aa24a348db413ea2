import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Engine } from '../../src/engine/engine.ts';
import { compilePlan, type CompiledStep } from '../../src/engine/plan.ts';
import { guardTarget } from '../../src/engine/host-guard.ts';
import type { StepContext, StepRunner, Vu } from '../../src/engine/vu.ts';
import type { IntervalRecord, RequestIntervalRecord } from '../../src/results/format.ts';
import type { ScenarioDefinition } from '../../src/scenario/types.ts';
import { startJsonServer, type TestServer } from '../support/servers.ts';

let http: TestServer;
before(async () => {
  http = await startJsonServer();
});
after(async () => {
  await http.close();
});

/**
 * A runner that, like a driver whose query outlives the connection, completes a step even after its VU stopped.
 * A step begun in the hang window (`hangFromMs` to `hangToMs` after the first step, before the ramp-down) hangs until
 * its signal aborts; its late `done` is then held back until the same VU starts its next step (the moment a stale
 * completion could do harm), or a bounded fallback. Every other step takes `stepMs`. It counts how many live (not
 * stopped) steps of one VU overlap. A VU begins a step every `stepMs`, so each one hangs in the window and is in
 * flight at the hard stop, however late the machine's timers fire.
 */
class LateRunner implements StepRunner {
  private readonly inflight = new Map<number, number>();
  private t0 = -1;
  private readonly held = new Map<number, () => void>();
  maxOverlap = 0;
  started = 0;
  abortedSeen = 0;
  lateDone = 0;

  constructor(private readonly stepMs: number, private readonly fallbackMs: number, private readonly hangFromMs: number, private readonly hangToMs: number) {}

  run(vu: Vu, step: CompiledStep, ctx: StepContext, done: () => void): void {
    this.started++;
    this.held.get(vu.id)?.(); // release a stopped step's late done now that this VU runs again
    if (this.t0 < 0) this.t0 = performance.now();
    const sinceMs = performance.now() - this.t0;
    const n = (this.inflight.get(vu.id) ?? 0) + 1;
    this.inflight.set(vu.id, n);
    this.maxOverlap = Math.max(this.maxOverlap, n);
    const settle = () => this.inflight.set(vu.id, this.inflight.get(vu.id)! - 1);
    if (sinceMs >= this.hangFromMs && sinceMs < this.hangToMs) return this.hang(vu.id, ctx.signal, settle, done);
    const stats = vu.stats(step);
    setTimeout(() => {
      settle();
      stats.request(this.stepMs * 1000, true, 0, undefined, 0, 0, 0);
      done();
    }, this.stepMs);
  }

  private hang(vuId: number, signal: AbortSignal, settle: () => void, done: () => void): void {
    signal.addEventListener('abort', () => {
      this.abortedSeen++;
      settle();
      const release = () => {
        if (this.held.get(vuId) !== release) return;
        this.held.delete(vuId);
        clearTimeout(fallback);
        this.lateDone++;
        done(); // after the stop: the VU must ignore it
      };
      const fallback = setTimeout(release, this.fallbackMs);
      this.held.set(vuId, release);
    }, { once: true });
  }
}

test('a step runner\'s late completion after its VU was stopped and started again neither records nor drives the VU', async () => {
  // Two VUs ramp down to none, are stopped at the end of gracefulRampDown with a step in flight, then ramp up again
  // while those steps are still running; each stopped step completes just as its VU starts a step again.
  const def: ScenarioDefinition = {
    name: 'late', target: { baseUrl: http.url }, connections: { db: { url: 'postgres://u@127.0.0.1/db' } },
    load: { executor: 'ramping-vus', startVUs: 2, gracefulRampDown: '100ms', gracefulStop: '2s', stages: [
      { duration: '500ms', target: 2 }, { duration: '1ms', target: 0 }, { duration: '150ms', target: 0 }, { duration: '1ms', target: 2 }, { duration: '900ms', target: 2 },
    ] },
    journeys: [{ name: 'j', steps: [{ name: 'late', type: 'sql', connection: 'db', sql: 'select 1' }] }],
  };
  const target = await guardTarget(def.target.baseUrl);
  const runner = new LateRunner(100, 300, 150, 450);
  const records: IntervalRecord[] = [];
  const engine = new Engine({ def, plan: compilePlan(def, target), target, globals: {}, runners: { sql: runner }, t0EpochMs: performance.timeOrigin + performance.now(), onRecords: (rs) => records.push(...rs) });
  await engine.run();
  const recorded = records.filter((r): r is RequestIntervalRecord => r.type === 'req').reduce((a, r) => a + r.count, 0);
  assert.equal(runner.maxOverlap, 1, 'a VU never runs two steps at once: a stale completion did not drive it');
  assert.equal(runner.abortedSeen, 2, 'the ramp-down stopped each VU\'s step in flight');
  assert.equal(runner.lateDone, 2, 'each stopped step completed late, while the run went on');
  assert.equal(recorded, runner.started - runner.abortedSeen, 'every step that was not stopped is recorded, and no stopped one');
});
