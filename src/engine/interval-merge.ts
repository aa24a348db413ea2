// Merges the interval records of a load sharded across worker threads (pure: records in, merged records out).
// Each shard closes its intervals in order and ends each with a tick, so a shard's latest tick is its watermark: it
// will send nothing more for that interval or any earlier one. An interval is emitted once every shard's watermark
// has reached it (or the shard has finished), whether or not that shard sent a record for it.

import type { IntervalRecord } from '../results/format.ts';
import { mergeIntervalRecords } from './recorder.ts';

/** Merges the records of `shards` shards, calling `emit` with each interval's merged records, in order. */
export class IntervalMerge {
  private readonly pending = new Map<number, IntervalRecord[]>();
  /** Per shard: tMs of its latest tick (-Infinity before its first). */
  private readonly watermarkMs: number[];
  private readonly finished: boolean[];

  constructor(
    shards: number,
    private readonly emit: (records: IntervalRecord[]) => void,
  ) {
    this.watermarkMs = new Array<number>(shards).fill(-Infinity);
    this.finished = new Array<boolean>(shards).fill(false);
  }

  /** Takes a batch of one shard's records (in the order the shard closed them). */
  add(shard: number, records: IntervalRecord[]): void {
    for (const r of records) {
      let list = this.pending.get(r.tMs);
      if (!list) this.pending.set(r.tMs, (list = []));
      list.push(r);
      if (r.type === 'tick' && r.tMs > this.watermarkMs[shard]!) this.watermarkMs[shard] = r.tMs;
    }
    this.drain();
  }

  /** Marks a shard finished: it sends nothing more, so no interval waits on it. */
  finish(shard: number): void {
    this.finished[shard] = true;
    this.drain();
  }

  /** Intervals still waiting on a shard (for diagnostics and tests). */
  get pendingCount(): number {
    return this.pending.size;
  }

  private drain(): void {
    let closedMs = Infinity;
    for (let i = 0; i < this.watermarkMs.length; i++) if (!this.finished[i]) closedMs = Math.min(closedMs, this.watermarkMs[i]!);
    const ready = [...this.pending.keys()].filter((t) => t <= closedMs).sort((a, b) => a - b);
    for (const tMs of ready) {
      const records = this.pending.get(tMs)!;
      this.pending.delete(tMs);
      const merged = mergeIntervalRecords(records);
      // The final interval may be partial in some shards: the merged one spans the longest.
      const longest = Math.max(...records.map((r) => r.intervalMs));
      for (const r of merged) r.intervalMs = longest;
      this.emit(merged);
    }
  }
}
