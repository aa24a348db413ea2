import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakerOpenDelays } from '../../src/run/gate-hooks.ts';

test('the breaker open delay is measured from each upstream fault to the first open sample', () => {
  const states = [
    { tMs: 1000, value: 0 },
    { tMs: 2000, value: 0 },
    { tMs: 3000, value: 2 },
    { tMs: 4000, value: 2 },
    { tMs: 9000, value: 0 },
    { tMs: 12_000, value: 1 },
  ];
  const table: Array<[string, number, number, number | undefined, string | undefined]> = [
    // fault name, start, end -> delay, opened
    ['upstream-outage', 1500, 8000, 1500, 'true'],
    ['upstream-hang', 5000, 8000, 3000, 'false'], // never open inside its window: the whole fault's length
    ['upstream-outage', 10_000, 13_000, 3000, 'false'], // half-open is not open
    ['redis-stop', 0, 5000, undefined, undefined], // not an upstream fault: no measurement
  ];
  for (const [name, startMs, endMs, delay, opened] of table) {
    const [sample] = breakerOpenDelays([{ name, startMs, endMs }], states);
    assert.equal(sample?.value, delay, `${name} ${startMs}`);
    assert.equal(sample?.labels?.opened, opened);
    if (sample) assert.equal(sample.metric, 'breaker_open_delay');
  }
});
