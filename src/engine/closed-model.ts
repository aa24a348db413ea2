// The closed model (constant-vus, ramping-vus): VU i loops iterations while i is below the target VU count at the
// moment; a VU above it finishes its iteration (gracefulRampDown at the most) and stops. Like k6's executors.

import { performance } from 'node:perf_hooks';
import type { ClosedModelLoad } from '../scenario/types.ts';
import { plannedDurationMs, vusAt } from '../scenario/stages.ts';
import { localCount, type Executor, type ExecutorHost } from './executor.ts';
import type { Vu } from './vu.ts';

/** How often the target VU count is read, ms at the most. */
const CONTROL_EVERY_MS = 50;

/** The closed-model executor over a host engine. */
export class ClosedModel implements Executor {
  private readonly retiring = new Map<Vu, number>();
  private readonly durationMs: number;
  private readonly loopBound = (vu: Vu) => this.loop(vu);

  constructor(
    private readonly host: ExecutorHost,
    private readonly load: ClosedModelLoad,
    private readonly gracefulStopMs: number,
    private readonly gracefulRampDownMs: number,
  ) {
    this.durationMs = plannedDurationMs(load);
  }

  preparedVUs(): number {
    return localCount(vusAt(this.load, 0), this.host);
  }

  start(): void {
    this.control();
  }

  onEnd(): void {
    for (const vu of [...this.retiring.keys()]) this.retire(vu, true);
  }

  /** Every CONTROL_EVERY_MS: VUs below the target count run, those above it retire, the overdue are stopped. */
  private control(): void {
    const h = this.host;
    if (h.ending()) return;
    const t = h.loadMs();
    if (t >= this.durationMs) return h.end(this.gracefulStopMs);
    const n = localCount(vusAt(this.load, t), h);
    for (let i = 0; i < Math.max(n, h.vus.length); i++) {
      const vu = h.vus[i] ?? (i < n ? h.newVu(i) : undefined);
      if (!vu) continue;
      if (i < n) {
        this.retiring.delete(vu);
        if (!h.active.has(vu)) {
          h.active.add(vu);
          if (!vu.running) this.loop(vu);
        }
      } else if (h.active.has(vu) && !this.retiring.has(vu)) {
        this.retiring.set(vu, performance.now() + this.gracefulRampDownMs);
      }
    }
    const nowPerf = performance.now();
    for (const [vu, deadline] of this.retiring) if (nowPerf >= deadline) this.retire(vu, true);
    h.recorder.setVus(h.active.size);
    h.schedule(() => this.control(), Math.min(CONTROL_EVERY_MS, Math.max(1, this.durationMs - t)));
  }

  /** A VU's next iteration, unless it retires or the load ends. */
  private loop(vu: Vu): void {
    const h = this.host;
    if (this.retiring.has(vu)) return this.retire(vu, false);
    if (h.ending() || !h.active.has(vu)) {
      h.active.delete(vu);
      h.recorder.setVus(h.active.size);
      return h.checkFinished();
    }
    h.countStarted();
    vu.startIteration(undefined, this.loopBound);
  }

  private retire(vu: Vu, hard: boolean): void {
    this.retiring.delete(vu);
    this.host.active.delete(vu);
    if (hard) vu.stop();
    this.host.recorder.setVus(this.host.active.size);
  }
}
