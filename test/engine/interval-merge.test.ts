import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalMerge } from '../../src/engine/interval-merge.ts';
import type { IntervalRecord, RequestIntervalRecord, TickIntervalRecord } from '../../src/results/format.ts';

function tick(tMs: number, iterations = 1): TickIntervalRecord {
  return { type: 'tick', tMs, intervalMs: 1000, vus: 1, vusMax: 1, iterations, droppedIterations: 0, iterationHist: '', generatorCpu: 0, generatorLoopLagP99Ms: 0 };
}

function req(tMs: number, count: number): RequestIntervalRecord {
  return { type: 'req', tMs, intervalMs: 1000, name: 'x', method: 'GET', count, failed: 0, statuses: { '200': count }, errors: {}, okHist: '', failHist: '', bytesIn: 0, bytesOut: 0, checksPassed: 0, checksFailed: 0 };
}

/** Feeds the steps to a merge of `shards` shards and returns the merged intervals' tMs and request counts. */
function feed(shards: number, steps: Array<[shard: number, records: IntervalRecord[]] | [shard: number, 'finish']>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const merge = new IntervalMerge(shards, (records) => {
    const t = records[0]!.tMs;
    out.push([t, records.reduce((a, r) => a + (r.type === 'req' ? r.count : 0), 0)]);
  });
  for (const [shard, what] of steps) {
    if (what === 'finish') merge.finish(shard);
    else merge.add(shard, what);
  }
  return out;
}

test('an interval is emitted once every shard has closed it, in order, with every shard\'s requests', () => {
  const table: Array<{ name: string; shards: number; steps: Parameters<typeof feed>[1]; want: Array<[number, number]> }> = [
    {
      name: 'both shards close each interval',
      shards: 2,
      steps: [[0, [req(0, 3), tick(0)]], [1, [req(0, 4), tick(0)]], [1, [req(1000, 1), tick(1000)]], [0, [tick(1000)]]],
      want: [[0, 7], [1000, 1]],
    },
    {
      name: 'a shard whose first tick is a later interval does not hold back the earlier one',
      shards: 2,
      steps: [[0, [req(0, 2), tick(0)]], [1, [req(1000, 5), tick(1000)]], [0, [req(1000, 1), tick(1000)]]],
      want: [[0, 2], [1000, 6]],
    },
    {
      name: 'an interval waits while a shard has not reached it',
      shards: 3,
      steps: [[0, [tick(0)]], [1, [tick(0)]]],
      want: [],
    },
    {
      name: 'a finished shard holds nothing back, and the last intervals are emitted when all finish',
      shards: 2,
      steps: [[0, [req(0, 1), tick(0)]], [0, 'finish'], [1, [req(0, 1), tick(0), req(1000, 2), tick(1000)]], [1, [req(2000, 3)]], [1, 'finish']],
      want: [[0, 2], [1000, 2], [2000, 3]],
    },
    {
      name: 'four shards, one of which skipped an interval',
      shards: 4,
      steps: [[0, [tick(0), tick(1000)]], [1, [tick(0), tick(1000)]], [2, [req(0, 9), tick(0), tick(1000)]], [3, [req(1000, 1), tick(1000)]]],
      want: [[0, 9], [1000, 1]],
    },
  ];
  for (const c of table) assert.deepEqual(feed(c.shards, c.steps), c.want, c.name);
});

test('the merged interval spans the longest of its shards\' partial intervals', () => {
  const out: IntervalRecord[][] = [];
  const merge = new IntervalMerge(2, (records) => out.push(records));
  merge.add(0, [{ ...tick(2000), intervalMs: 300 }]);
  merge.add(1, [{ ...tick(2000), intervalMs: 450 }]);
  assert.equal(out.length, 1);
  assert.equal(out[0]![0]!.intervalMs, 450);
  assert.equal(merge.pendingCount, 0);
});
