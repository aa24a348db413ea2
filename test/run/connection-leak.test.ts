// The db-network drill's leak gate on known timelines: server connections the pool does not hold, persisting above
// their pre-fault level to the end, are leaked; a pool that grew (and holds them), or a reset that rebuilt it, is not.
// Without the pool's figure the server's connections alone are judged.

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

/** A timeline of server and pool connections per second. */
const withPool = (server: number[], pool: number[]) => server.map((total, i) => ({ tMs: i * 1000, total, pool: pool[i]! }));

test('with the pool\'s figure, a pool that ended larger is not a leak; connections the pool does not hold are', () => {
  const n = (k: number, v: number) => Array(k).fill(v) as number[];
  const cases: Array<[string, number[], number[], number]> = [
    // The case that failed a CI run when only the server was counted: 1 connection before, 2 at the end, both the pool's.
    ['the pool grew from 1 to 2 after a reset', [...n(10, 1), ...n(10, 0), ...n(11, 2)], [...n(10, 1), ...n(10, 0), ...n(11, 2)], 0],
    ['the collector\'s own connection is in the baseline', [...n(10, 2), ...n(10, 1), ...n(11, 3)], [...n(10, 1), ...n(10, 0), ...n(11, 2)], 0],
    ['two backends the pool let go of stay to the end', [...n(10, 3), ...n(10, 9), ...n(11, 5)], [...n(10, 3), ...n(10, 0), ...n(11, 3)], 2],
    ['a read a moment apart (pool 1 behind once) is not a leak', [...n(10, 3), ...n(10, 9), 4, ...n(10, 3)], [...n(10, 3), ...n(10, 9), 3, ...n(10, 3)], 0],
  ];
  for (const [what, server, pool, want] of cases) {
    const [s] = connectionsLeaked(faults, phases, withPool(server, pool));
    assert.equal(s?.value, want, what);
    assert.equal(s?.labels?.basis, 'server-minus-pool', what);
  }
  assert.equal(connectionsLeaked(faults, phases, timeline(Array(31).fill(3)))[0]?.labels?.basis, 'server', 'without the pool');
});

test('the last phase is judged only after the last fault ends', () => {
  // A reset at 25 s, inside the last phase, after which two connections stay: the samples before it (back to 3) are
  // not the settled level.
  const reset = [...faults, { name: 'db-reset', startMs: 25_000, endMs: 25_001 }];
  const totals = timeline([...Array(10).fill(3), ...Array(10).fill(9), ...Array(6).fill(3), ...Array(5).fill(5)]);
  assert.equal(connectionsLeaked(reset, phases, totals)[0]?.value, 2);
});

test('connection totals sum the states of one tick, skipping gaps, each with the nearest pool figure within 1 s', () => {
  const s = (tMs: number, state: string, value: number | null): SampleRecord => ({ tMs, source: 'postgres', metric: 'pg_connections', value, labels: { state } });
  const pool = (tMs: number, value: number): SampleRecord => ({ tMs, source: 'prometheus', metric: 'db_pool_connections', value });
  const got = connectionTotals([s(2000, 'idle', 2), s(1000, 'active', 1), s(1000, 'idle', 4), s(2000, 'active', null), { tMs: 1000, source: 'host', metric: 'host_cpu_utilization', value: 0.5 }]);
  assert.deepEqual(got, [{ tMs: 1000, total: 5 }, { tMs: 2000, total: 2 }]);
  const paired = connectionTotals([s(1000, 'idle', 4), s(2000, 'idle', 2), s(5000, 'idle', 1), pool(1010, 3), pool(1900, 2), pool(2040, 1)]);
  assert.deepEqual(paired, [{ tMs: 1000, total: 4, pool: 3 }, { tMs: 2000, total: 2, pool: 1 }, { tMs: 5000, total: 1 }]);
});
