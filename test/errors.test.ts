import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, exitCodeForOutcome, type RunOutcomeFacts } from '../src/errors.ts';

test('one function maps a run outcome to its status and exit code, the first that applies winning', () => {
  const f = (status: RunOutcomeFacts['status'], thresholds: number, failedThresholds: number, firedAlerts: number, failOnAlerts = false): RunOutcomeFacts =>
    ({ status, thresholds, failedThresholds, firedAlerts, failOnAlerts });
  const table: Array<[string, RunOutcomeFacts, string, number]> = [
    ['invalid', f('invalid', 2, 0, 0), 'invalid', EXIT.invalidRun],
    ['invalid beats failed thresholds', f('invalid', 2, 2, 1, true), 'invalid', 103],
    ['interrupted', f('interrupted', 2, 0, 0), 'interrupted', EXIT.interrupted],
    ['interrupted beats failed thresholds', f('interrupted', 2, 1, 0), 'interrupted', 105],
    ['still running in run.json: killed, so interrupted', f('running', 2, 0, 0), 'interrupted', 105],
    ['aborted by a threshold', f('aborted', 2, 1, 0), 'aborted', EXIT.thresholdsFailed],
    ['aborted even if every threshold passes over the whole run', f('aborted', 2, 0, 0), 'aborted', 99],
    ['a failed threshold', f('completed', 2, 1, 0), 'fail', 99],
    ['a failed threshold beats alerts', f('completed', 2, 1, 3, true), 'fail', 99],
    ['alerts fail only with failOnAlerts', f('completed', 2, 0, 1, true), 'fail', 99],
    ['alerts alone annotate', f('completed', 2, 0, 1), 'pass', EXIT.ok],
    ['no thresholds: nothing judged, exit 0 as k6', f('completed', 0, 0, 1), 'no-thresholds', 0],
    ['no thresholds with failOnAlerts and a fired alert', f('completed', 0, 0, 1, true), 'fail', 99],
    ['every threshold passed', f('completed', 2, 0, 0), 'pass', 0],
  ];
  for (const [name, facts, status, exitCode] of table) assert.deepEqual(exitCodeForOutcome(facts), { status, exitCode }, name);
});
