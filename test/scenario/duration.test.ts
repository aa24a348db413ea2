import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationMs, parseCliDurationMs, formatDuration, isDuration } from '../../src/scenario/duration.ts';
import { parseThink, drawThinkMs } from '../../src/scenario/think.ts';
import { ConfigError } from '../../src/errors.ts';

const valid: [string, number][] = [
  ['30s', 30_000],
  ['2m', 120_000],
  ['1h30m', 5_400_000],
  ['500ms', 500],
  ['1.5s', 1500],
  ['1m30s', 90_000],
  ['1h', 3_600_000],
  ['1d', 86_400_000],
  ['250us', 0.25],
  ['0s', 0],
  ['0', 0],
  ['.5s', 500],
  ['1.1s', 1100],
  ['2h3m4s5ms', 7_384_005],
];

for (const [input, ms] of valid) {
  test(`the duration '${input}' is ${ms} ms`, () => {
    assert.equal(parseDurationMs(input), ms);
    assert.equal(isDuration(input), true);
  });
}

const invalid = ['', '30', '10 s', 's', '1x', '-1s', '1.s', '1h 30m', 'abc', '1e3ms', '30S'];
for (const input of invalid) {
  test(`the duration '${input}' is rejected with a ConfigError naming the field`, () => {
    assert.equal(isDuration(input), false);
    assert.throws(
      () => parseDurationMs(input, 'load.duration'),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.issues[0]!.path === 'load.duration' &&
        err.issues[0]!.message.startsWith(`invalid duration "${input}"`),
    );
  });
}

const formatted: [number, string][] = [
  [0, '0s'],
  [250, '250ms'],
  [1500, '1.5s'],
  [30_000, '30s'],
  [90_000, '1m30s'],
  [5_400_000, '1h30m'],
  [3_600_000, '1h'],
  [3_723_000, '1h2m3s'],
  [0.5, '0.5ms'],
];
for (const [ms, text] of formatted) {
  test(`${ms} ms is formatted as '${text}' and parses back to the same value`, () => {
    assert.equal(formatDuration(ms), text);
    assert.equal(parseDurationMs(text), ms);
  });
}

test('formatting a negative duration is refused', () => {
  assert.throws(() => formatDuration(-1), RangeError);
});

const thinks: [string, number, number][] = [
  ['1s', 1000, 1000],
  ['1s-3s', 1000, 3000],
  ['500ms-1s', 500, 1000],
  ['0s', 0, 0],
  ['1s - 2s', 1000, 2000],
];
for (const [input, minMs, maxMs] of thinks) {
  test(`the think time '${input}' ranges from ${minMs} to ${maxMs} ms`, () => {
    assert.deepEqual(parseThink(input), { minMs, maxMs });
  });
}

const badThinks = ['', '1s-', '-1s', '3s-1s', '1s-2s-3s', 'soon', '1'];
for (const input of badThinks) {
  test(`the think time '${input}' is rejected naming the field`, () => {
    assert.throws(
      () => parseThink(input, 'journeys[0].steps[0].think'),
      (err: unknown) => err instanceof ConfigError && err.issues[0]!.path === 'journeys[0].steps[0].think',
    );
  });
}

test('drawn think times stay inside the range and a fixed one never varies', () => {
  const range = parseThink('1s-3s');
  for (const r of [0, 0.25, 0.5, 0.999]) {
    const ms = drawThinkMs(range, () => r);
    assert.ok(ms >= 1000 && ms < 3000, `${ms}`);
  }
  assert.equal(drawThinkMs(range, () => 0.5), 2000);
  assert.equal(drawThinkMs(parseThink('2s'), () => 0.9), 2000);
});

const cliDurations: [string, number][] = [
  ['3s', 3000],
  ['1m30s', 90_000],
  ['500ms', 500],
  ['1d', 86_400_000],
  ['10', 10_000],
  ['1.5', 1500],
  ['.25', 250],
  ['0', 0],
];
for (const [input, ms] of cliDurations) {
  test(`the command-line duration '${input}' is ${ms} ms (a bare number is seconds)`, () => {
    assert.equal(parseCliDurationMs(input, '--duration'), ms);
  });
}

const badCliDurations: [string, { positive?: boolean }][] = [['', {}], ['soon', {}], ['-1', {}], ['1e3', {}], ['10 s', {}], ['0', { positive: true }], ['0s', { positive: true }]];
for (const [input, opts] of badCliDurations) {
  test(`the command-line duration '${input}'${opts.positive ? ' (must be positive)' : ''} is rejected naming the flag`, () => {
    assert.throws(
      () => parseCliDurationMs(input, '--duration', opts),
      (err: unknown) => err instanceof ConfigError && err.issues[0]!.path === '--duration',
    );
  });
}
