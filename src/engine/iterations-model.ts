// The iteration-count executors (shared-iterations, per-vu-iterations), as k6 defines them: `vus` VUs run from the
// start; shared-iterations hands `iterations` in all to whichever VU is free next, per-vu-iterations gives each VU
// exactly `iterations`. The load ends when the last iteration is done, or at maxDuration: running iterations then get
// gracefulStop, and the iterations never started count as dropped_iterations (k6 does the same).

import type { IterationsLoad } from '../scenario/types.ts';
import { DEFAULT_MAX_DURATION } from '../scenario/stages.ts';
import { parseDurationMs } from '../scenario/duration.ts';
import { shardCount, type Executor, type ExecutorHost } from './executor.ts';
import type { Vu } from './vu.ts';

/**
 * This shard's share of an iteration-count load, VU by VU (local index): iterations are dealt round-robin to the
 * global VUs (VU g of the run belongs to shard g mod count), so the shards' shares add up to the load's total and
 * every VU gets one at least (k6 refuses shared-iterations with fewer iterations than VUs).
 */
export function iterationShares(load: IterationsLoad, shard: { index: number; count: number }): number[] {
  const vus = load.vus ?? 1;
  const iterations = load.iterations ?? 1;
  const local = shardCount(vus, shard);
  const out: number[] = [];
  for (let i = 0; i < local; i++) {
    const globalIndex = i * shard.count + shard.index;
    out.push(load.executor === 'per-vu-iterations' ? iterations : shardCount(iterations, { index: globalIndex, count: vus }));
  }
  return out;
}

/** The iteration-count executor over a host engine. */
export class IterationsModel implements Executor {
  /** per-vu-iterations: iterations left per local VU; shared-iterations: one pool at index 0. */
  private readonly left: number[];
  private readonly shared: boolean;
  private readonly maxDurationMs: number;
  private readonly loopBound = (vu: Vu) => this.loop(vu);
  private readonly localIndex = new Map<Vu, number>();

  constructor(
    private readonly host: ExecutorHost,
    private readonly load: IterationsLoad,
    private readonly gracefulStopMs: number,
  ) {
    this.shared = load.executor === 'shared-iterations';
    const shares = iterationShares(load, host.shard);
    this.left = this.shared ? [shares.reduce((a, b) => a + b, 0)] : shares;
    this.maxDurationMs = parseDurationMs(load.maxDuration ?? DEFAULT_MAX_DURATION, 'load.maxDuration');
  }

  preparedVUs(): number {
    return shardCount(this.load.vus ?? 1, this.host.shard);
  }

  start(): void {
    const h = this.host;
    const n = this.preparedVUs();
    if (n === 0) return h.end(this.gracefulStopMs);
    h.schedule(() => this.timeUp(), this.maxDurationMs);
    for (let i = 0; i < n; i++) {
      const vu = h.vus[i] ?? h.newVu(i);
      this.localIndex.set(vu, i);
      h.active.add(vu);
    }
    h.recorder.setVus(h.active.size);
    for (let i = 0; i < n; i++) this.loop(h.vus[i]!);
  }

  onEnd(): void {}

  /** maxDuration reached: what never started is dropped; running iterations get gracefulStop. */
  private timeUp(): void {
    const unstarted = this.left.reduce((a, b) => a + b, 0);
    if (unstarted > 0) this.host.recorder.droppedIteration(unstarted);
    this.left.fill(0);
    this.host.end(this.gracefulStopMs);
  }

  /** A VU's next iteration while its share (or the shared pool) lasts; the last VU done ends the load. */
  private loop(vu: Vu): void {
    const h = this.host;
    const slot = this.shared ? 0 : this.localIndex.get(vu)!;
    if (h.ending() || this.left[slot]! <= 0) {
      h.active.delete(vu);
      h.recorder.setVus(h.active.size);
      if (!h.ending() && h.active.size === 0) return h.end(this.gracefulStopMs);
      return h.checkFinished();
    }
    this.left[slot]!--;
    h.countStarted();
    vu.startIteration(undefined, this.loopBound);
  }
}
