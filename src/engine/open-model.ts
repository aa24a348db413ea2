// The open model (constant-arrival-rate, ramping-arrival-rate): iterations start on the schedule of intended start
// times, each on an idle VU (up to maxVUs); an arrival with no VU free is dropped and counted. Like k6's executors.

import type { OpenModelLoad } from '../scenario/types.ts';
import { iterateArrivalsMs, plannedDurationMs } from '../scenario/stages.ts';
import { localCount, type Executor, type ExecutorHost } from './executor.ts';
import type { Vu } from './vu.ts';

/** The open-model executor over a host engine. */
export class OpenModel implements Executor {
  private readonly durationMs: number;
  private idle: Vu[] = [];
  private maxLocalVUs = 0;
  private arrivals: Iterator<number> | undefined;
  private nextArrivalMs: number | undefined;
  private arrivalIndex = 0;
  /** The next arrival's index in the whole test's schedule (execution segments own arrivals by it). */
  private globalArrival = 0;
  private readonly releaseBound = (vu: Vu) => this.release(vu);

  constructor(
    private readonly host: ExecutorHost,
    private readonly load: OpenModelLoad,
    private readonly gracefulStopMs: number,
  ) {
    this.durationMs = plannedDurationMs(load);
  }

  preparedVUs(): number {
    return localCount(this.load.preAllocatedVUs, this.host);
  }

  start(): void {
    const h = this.host;
    const pre = this.preparedVUs();
    this.maxLocalVUs = Math.max(pre, localCount(this.load.maxVUs ?? this.load.preAllocatedVUs, h));
    for (let i = 0; i < pre; i++) this.idle.push(h.vus[i] ?? h.newVu(i));
    this.idle.reverse();
    this.arrivals = iterateArrivalsMs(this.load, 0);
    this.advance();
    this.schedule();
  }

  onEnd(): void {}

  /** The next arrival that belongs to this shard: its execution segment's stripe, then dealt round-robin to workers. */
  private advance(): void {
    const { shard, segment } = this.host;
    for (;;) {
      const r = this.arrivals!.next();
      if (r.done) {
        this.nextArrivalMs = undefined;
        return;
      }
      if (segment && !segment.owns(this.globalArrival++)) continue;
      if (this.arrivalIndex++ % shard.count === shard.index) {
        this.nextArrivalMs = r.value;
        return;
      }
    }
  }

  /** Starts every arrival that is due, then sleeps until the next one (or the end). */
  private schedule(): void {
    const h = this.host;
    if (h.ending()) return;
    const t = h.loadMs();
    const loadStartPerf = h.loadStartPerf();
    while (this.nextArrivalMs !== undefined && this.nextArrivalMs <= t) {
      let vu = this.idle.pop();
      if (!vu && h.vus.length < this.maxLocalVUs) vu = h.newVu(h.vus.length);
      if (vu) {
        h.active.add(vu);
        h.countStarted();
        vu.startIteration(loadStartPerf + this.nextArrivalMs, this.releaseBound);
      } else {
        h.countDropped();
        h.recorder.droppedIteration();
      }
      this.advance();
    }
    h.recorder.setVus(h.active.size);
    if (this.nextArrivalMs === undefined) {
      h.schedule(() => h.end(this.gracefulStopMs), Math.max(0, this.durationMs - t));
      return;
    }
    h.schedule(() => this.schedule(), Math.max(0, this.nextArrivalMs - t));
  }

  private release(vu: Vu): void {
    this.host.active.delete(vu);
    if (!this.host.ending()) this.idle.push(vu);
    else this.host.checkFinished();
  }
}
