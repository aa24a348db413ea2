import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { planFaults, startFaultSchedule, type FaultTarget } from '../../src/run/fault-scheduler.ts';
import { ConfigError } from '../../src/errors.ts';
import type { SampleRecord, TimeWindow } from '../../src/results/format.ts';

test('fault plans resolve their times, and every mistake is reported at once with its path', () => {
  assert.deepEqual(planFaults(undefined, false), []);
  assert.deepEqual(planFaults([{ action: 'upstream-outage', at: '2m', duration: '1m' }], true), [
    { action: 'upstream-outage', atMs: 120_000, durationMs: 60_000, params: {} },
  ]);
  const bad: Array<[Parameters<typeof planFaults>, RegExp[]]> = [
    [[[{ action: 'upstream-outage', at: '1s', duration: '1s' }], false], [/faults: faults are injected through the lab: run with --lab/]],
    [[[{ action: 'meteor', at: '1s' }], true], [/faults\[0\]\.action: unknown fault "meteor"/]],
    [[[{ action: 'redis-stop', at: '1s' }], true], [/faults\[0\]\.duration: "redis-stop" needs a duration/]],
    [
      [[{ action: 'worker-kill', at: 'soon' }, { action: 'nope', at: '1s' }], true],
      [/faults\[0\]\.at/, /faults\[1\]\.action/],
    ],
  ];
  for (const [args, patterns] of bad) {
    assert.throws(
      () => planFaults(...args),
      (err: unknown) => err instanceof ConfigError && patterns.every((p) => p.test(err.message)),
      JSON.stringify(args),
    );
  }
});

/** A lab stand-in that records the calls it receives, in order, with the time they came. */
function recordingLab(clock: () => number) {
  const calls: Array<[string, number]> = [];
  const rec = (name: string) => async () => {
    calls.push([name, clock()]);
  };
  const lab: FaultTarget = {
    redisStop: rec('redisStop'),
    redisStart: rec('redisStart'),
    postgresRestart: rec('postgresRestart'),
    upstream: async (c) => {
      calls.push([`upstream ${JSON.stringify(c)}`, clock()]);
      return c;
    },
    killWorker: async () => {
      calls.push(['killWorker', clock()]);
      return 4242;
    },
  };
  return { lab, calls };
}

/** Fake timers and clock: advance(ms) moves them on in 10 ms steps, letting the fault actions' promises settle. */
function fakeTime(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  return async (ms: number) => {
    for (let left = ms; left > 0; left -= 10) {
      t.mock.timers.tick(Math.min(10, left));
      await new Promise((r) => setImmediate(r));
    }
  };
}

test('a schedule begins and ends each fault on time and records its window and samples', async (t) => {
  const advance = fakeTime(t);
  const t0 = Date.now();
  const clock = () => Date.now() - t0;
  const { lab, calls } = recordingLab(clock);
  const windows: TimeWindow[] = [];
  const samples: SampleRecord[] = [];
  const schedule = startFaultSchedule({
    faults: planFaults([{ action: 'redis-stop', at: '100ms', duration: '200ms' }, { action: 'worker-kill', at: '150ms' }], true),
    lab,
    clock,
    windows,
    writeSample: (s) => samples.push(s),
  });
  await advance(450);
  await schedule.stop();
  assert.deepEqual(calls.map(([n]) => n), ['redisStop', 'killWorker', 'redisStart']);
  const [stopAt, , startAt] = calls.map(([, t]) => t);
  assert.ok(stopAt! >= 95 && stopAt! < 250, `redis stopped at ${stopAt}`);
  assert.ok(startAt! >= 290, `redis started at ${startAt} ms; the fault ends at at + duration = 300 ms on the schedule's clock`);
  assert.equal(windows.length, 2);
  const redis = windows.find((w) => w.name === 'redis-stop')!;
  assert.ok(redis.endMs >= 290 && redis.startMs < 250, JSON.stringify(redis));
  assert.deepEqual(samples.map((s) => `${s.labels?.action}=${s.value}`).sort(), ['redis-stop=0', 'redis-stop=1', 'worker-kill=0', 'worker-kill=1']);
});

/** A schedule of `faults` on fake time against a recording lab, with no sample kept. */
function fakeSchedule(t: TestContext, faults: Parameters<typeof planFaults>[0], originMs?: number) {
  const advance = fakeTime(t);
  const t0 = Date.now();
  const clock = () => Date.now() - t0;
  const { lab, calls } = recordingLab(clock);
  const windows: TimeWindow[] = [];
  const schedule = startFaultSchedule({ faults: planFaults(faults, true), lab, clock, originMs, windows, writeSample: () => {} });
  return { advance, calls, windows, schedule };
}

test('stopping the schedule early ends an active fault instead of leaving it on', async (t) => {
  const { advance, calls, windows, schedule } = fakeSchedule(t, [{ action: 'upstream-outage', at: '50ms', duration: '1h' }, { action: 'postgres-restart', at: '1h' }]);
  await advance(150);
  await schedule.stop();
  assert.deepEqual(calls.map(([n]) => n), ['upstream {"outage":true}', 'upstream {"outage":false}']);
  assert.equal(windows.length, 1);
  assert.ok(windows[0]!.endMs < 1000);
});

test('fault times count from the load\'s start (originMs), not from when the schedule was made', async (t) => {
  // Made at 0 ms, while the load starts at 700 ms (the next interval boundary, after the engines started).
  const { advance, calls, schedule } = fakeSchedule(t, [{ action: 'redis-stop', at: '100ms', duration: '200ms' }], 700);
  await advance(1100);
  await schedule.stop();
  const [[, stopAt], [, startAt]] = calls as [[string, number], [string, number]];
  assert.ok(stopAt >= 800 && stopAt < 850, `redis stopped at ${stopAt} ms: 100 ms after the load's start at 700`);
  assert.ok(startAt >= 1000 && startAt < 1050, `redis started at ${startAt} ms: at + duration after the load's start`);
});
