import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExecutionTuple, parseSegment, parseSequence, segmentString } from '../../src/engine/execution-segment.ts';
import { iterateArrivalsMs, plannedDurationMs, vusAt } from '../../src/scenario/stages.ts';
import type { LoadOptions } from '../../src/scenario/types.ts';
import { ConfigError } from '../../src/errors.ts';

const tuple = (seg: string, seq?: string) => new ExecutionTuple(parseSegment(seg), seq ? parseSequence(seq) : []);

/** The tuples of every segment of a sequence. */
function tuplesOf(seq: string): ExecutionTuple[] {
  return parseSequence(seq).map((s) => new ExecutionTuple(s, parseSequence(seq)));
}

test("striped offsets are k6's own (lib/execution_segment_test.go TestGetStripedOffsets)", () => {
  const cases: Array<[seq: string, seg: string, start: number, offsets: number[], lcd: number]> = [
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0:0.3', 0, [4, 3, 3], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.3:0.5', 1, [4, 6], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.5:0.6', 2, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.6:0.7', 3, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.8:0.9', 8, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.9:1', 9, [10], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0.9:1', 9, [10], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0:0.2', 1, [4, 6], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0.6:0.7', 3, [10], 10],
    ['0,0.2,0.5', '0:0.2', 3, [6, 4], 10],
    ['0,0.2,0.5', '0.2:0.5', 1, [4, 2, 4], 10],
    ['0,2/5,4/5', '0:2/5', 0, [3, 2], 5],
    ['0,2/5,4/5', '2/5:4/5', 1, [3, 2], 5],
    ['', '0:0.2', 1, [5], 5],
    ['', '0:1/5', 1, [5], 5],
    ['', '0:2/10', 1, [5], 5],
    ['', '0:0.4', 1, [2, 3], 5],
    ['', '0:2/5', 1, [2, 3], 5],
    ['', '2/5:4/5', 1, [3, 2], 5],
    ['', '0:4/10', 1, [2, 3], 5],
    ['', '1/10:5/10', 1, [2, 2, 4, 2], 10],
  ];
  for (const [seq, seg, start, offsets, lcd] of cases) {
    const t = tuple(seg, seq || undefined);
    assert.deepEqual([t.start, [...t.offsets], t.lcd], [start, offsets, lcd], `${seg} in ${seq || '(no sequence)'}`);
  }
});

test("k6's scaling edge cases: one VU over 1/2:1 is none, over 0:1/2 it is one (TestExecutionTupleScale)", () => {
  for (const seq of [undefined, '0,0.5,1']) {
    assert.deepEqual([tuple('0.5', seq).scale(1), tuple('0.5', seq).scale(2), tuple('0.5', seq).scale(3)], [1, 1, 2]);
    assert.deepEqual([tuple('0.5:1.0', seq).scale(1), tuple('0.5:1.0', seq).scale(2), tuple('0.5:1.0', seq).scale(3)], [0, 1, 1]);
  }
  assert.equal(tuple('50%:100%').scale(3), 1, 'percentages');
  assert.equal(tuple('').scale(7), 7, 'the whole schedule');
  assert.equal(segmentString(parseSegment('0.25:50%')), '1/4:1/2');
});

test('bad segments and sequences are refused, naming the flag (exit 104)', () => {
  const bad: Array<[() => unknown, RegExp]> = [
    [() => parseSegment('1/2:1/3'), /start \(1\/2\) must be less than the end \(1\/3\)/],
    [() => parseSegment('0:3/2'), /can't be more than 1/],
    [() => parseSegment('a:1'), /"a" is not a valid/],
    [() => parseSequence('0'), /at least 2 points/],
    [() => tuple('0:1/2', '0,1/3,2/3,1'), /0:1\/2 is not a segment of the sequence 0,1\/3,2\/3,1/],
  ];
  for (const [f, message] of bad) {
    assert.throws(f, (err: unknown) => err instanceof ConfigError && err.exitCode === 104 && message.test(err.message));
  }
});

const SEQUENCES = ['0,1/3,2/3,1', '0,1/4,1/2,3/4,1'];

test('the scaled VUs of every segment of a sequence sum to the total at every stage and every moment', () => {
  const load: LoadOptions = {
    executor: 'ramping-vus', startVUs: 1,
    stages: [{ duration: '10s', target: 7 }, { duration: '5s', target: 7 }, { duration: '10s', target: 23 }, { duration: '3s', target: 0 }, { duration: '4s', target: 1 }],
  };
  for (const seq of SEQUENCES) {
    const tuples = tuplesOf(seq);
    for (let tMs = 0; tMs <= plannedDurationMs(load); tMs += 50) {
      const total = vusAt(load, tMs);
      assert.equal(tuples.reduce((a, t) => a + t.scale(total), 0), total, `${seq} at ${tMs} ms (${total} VUs)`);
    }
    for (let n = 0; n <= 500; n++) {
      assert.equal(tuples.reduce((a, t) => a + t.scale(n), 0), n, `${seq}: ${n} VUs`);
      // scale(n) is the stripe's members among the first n, so a ramp never moves a VU between processes.
      for (const t of tuples) assert.equal(t.scale(n + 1) - t.scale(n), t.owns(n) ? 1 : 0);
    }
  }
});

test('the striped arrival indices partition the schedule, with no overlap and no gap', () => {
  const load: LoadOptions = { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', preAllocatedVUs: 10, stages: [{ duration: '5s', target: 50 }, { duration: '5s', target: 50 }, { duration: '3s', target: 7 }] };
  const arrivals = [...iterateArrivalsMs(load)];
  assert.ok(arrivals.length > 300);
  for (const seq of SEQUENCES) {
    const tuples = tuplesOf(seq);
    const owners = arrivals.map((_, g) => tuples.filter((t) => t.owns(g)).length);
    assert.ok(owners.every((n) => n === 1), `${seq}: every arrival has exactly one segment`);
    // Each segment takes its share: within one item of length x n at every prefix.
    for (const t of tuples) {
      let mine = 0;
      arrivals.forEach((_, g) => {
        if (t.owns(g)) mine++;
        assert.ok(Math.abs(mine - t.share * (g + 1)) < 1 + 1e-9, `${seq} ${segmentString(t.segment)}: ${mine} of the first ${g + 1}`);
      });
    }
    // A segment's k-th VU is the whole test's VU of its stripe: the VU numbers of all segments are 0..n-1 once each.
    const ids = tuples.flatMap((t) => Array.from({ length: t.scale(60) }, (_, k) => t.globalIndex(k))).sort((a, b) => a - b);
    assert.deepEqual(ids, Array.from({ length: 60 }, (_, i) => i), `${seq}: VU numbers`);
  }
});
