import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeFor, ConfigError, InvalidRunError, HostNotAllowedError, EXIT } from '../../src/errors.ts';
import { main } from '../../src/cli/main.ts';

test('errors map to the documented exit codes', () => {
  const table: Array<[unknown, number]> = [
    [new ConfigError([{ path: 'load.vus', message: 'must be a positive integer' }]), 104],
    [new InvalidRunError('generator saturated'), 103],
    [new HostNotAllowedError('example.com is not loopback'), 104],
    [new Error('boom'), 1],
    ['a string', 1],
  ];
  for (const [err, code] of table) assert.equal(exitCodeFor(err), code, String(err));
});

test('a ConfigError lists every field path in its message', () => {
  const err = new ConfigError([
    { path: 'journeys[1].steps[0].path', message: 'required' },
    { path: 'load.executor', message: 'unknown executor "constant-rps"' },
  ]);
  assert.match(err.message, /journeys\[1\]\.steps\[0\]\.path: required/);
  assert.match(err.message, /load\.executor: unknown executor "constant-rps"/);
});

test('an unknown command exits with the invalid-arguments code', async () => {
  const stderr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    assert.equal(await main(['node', 'perfgate', 'no-such-command']), EXIT.invalidConfig);
  } finally {
    process.stderr.write = stderr;
  }
});
