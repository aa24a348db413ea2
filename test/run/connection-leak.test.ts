// The db-network drill's leak gate on known timelines: connections that persist above the pre-fault level to the end
// are leaked; a pool that grew under a fault and shrinks before the end, or a reset that rebuilt it, is not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionsLeaked, connectionTotals } from '../../src/run/connection-leak.ts';
import type { SampleRecord } from '../../src/results/format.ts';

const faults = [{ name: 'db-blackhole', startMs: 10_000, endMs: 20_000 }];
const phases = [{ name: 'before', startMs: 0, endMs: 10_000 }, { name: 'blackhole', startMs: 10_000, endMs: 20_000 }, { name: 'after', startMs: 20_000, endMs: 30_000 }];
/** One total per second from a list. */
const timeline = (totals: number[]) => totals.map((total, i) => ({ tMs: i * 1000, total }));

test('db_connections_leaked is the fewest connections of the last phase above the most before the first db fault', () => {
  const cases: Array<[string, number[], number]> = [
    ['back to the baseline', [...Array(10).fill(3), ...Array(10).fill(8), ...Array(10).fill(3)], 0],
    ['a pool that grew and shrinks before the end', [...Array(10).fill(3), ...Array(10).fill(8), 8, 8, 8, 8, 8, 3, 3, 3, 3, 3], 0],
    ['below the baseline after a reset rebuilt the pool', [...Array(10).fill(3), ...Array(10).fill(0), ...Array(10).fill(1)], 0],
    ['two connections held to the end', [...Array(10).fill(3), ...Array(10).fill(9), ...Array(10).fill(5)], 2],
    ['the baseline is the most before the fault', [1, 2, 4, 2, 2, 2, 2, 2, 2, 2, ...Array(10).fill(9), ...Array(10).fill(4)], 0],
  ];
  for (const [what, totals, want] of cases) {
    const [s] = connectionsLeaked(faults, phases, timeline([...totals, totals.at(-1)!]));
    assert.equal(s?.value, want, what);
    assert.equal(s?.metric, 'db_connections_leaked');
    assert.equal(s?.labels?.phase, 'after');
  }
});

test('no figure without a db fault, or without samples on both sides', () => {
  const flat = timeline(Array(31).fill(3));
  assert.deepEqual(connectionsLeaked([{ name: 'upstream-outage', startMs: 10_000, endMs: 20_000 }], phases, flat), []);
  assert.deepEqual(connectionsLeaked(faults, phases, flat.filter((t) => t.tMs >= 10_000)), [], 'nothing before the fault');
  assert.deepEqual(connectionsLeaked(faults, phases, flat.filter((t) => t.tMs < 20_000)), [], 'nothing in the last phase');
  assert.deepEqual(connectionsLeaked(faults, [], flat), []);
});

test('the last phase is judged only after the last fault ends', () => {
  // A reset at 25 s, inside the last phase, after which two connections stay: the samples before it (back to 3) are
  // not the settled level.
  const reset = [...faults, { name: 'db-reset', startMs: 25_000, endMs: 25_001 }];
  const totals = timeline([...Array(10).fill(3), ...Array(10).fill(9), ...Array(6).fill(3), ...Array(5).fill(5)]);
  assert.equal(connectionsLeaked(reset, phases, totals)[0]?.value, 2);
});

test('connection totals sum the states of one tick, skipping gaps', () => {
  const s = (tMs: number, state: string, value: number | null): SampleRecord => ({ tMs, source: 'postgres', metric: 'pg_connections', value, labels: { state } });
  const got = connectionTotals([s(2000, 'idle', 2), s(1000, 'active', 1), s(1000, 'idle', 4), s(2000, 'active', null), { tMs: 1000, source: 'host', metric: 'host_cpu_utilization', value: 0.5 }]);
  assert.deepEqual(got, [{ tMs: 1000, total: 5 }, { tMs: 2000, total: 2 }]);
});
