// The Indexed Job of `perfgate export k8s`: a golden manifest, and its pod command run by a real sh for every index.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { equalSegmentSequence, indexedJobManifest } from '../../src/scenario/k8s-job.ts';

const opts = { scenario: 'baseline', profile: 'ci', parallelism: 3, image: 'registry.example/perf:1', targetUrl: 'http://api.example.internal:8080', startAt: '2026-01-02T15:04:05Z' };

test('the equal segment sequence of n processes', () => {
  assert.deepEqual(equalSegmentSequence(1), ['0', '1']);
  assert.deepEqual(equalSegmentSequence(3), ['0', '1/3', '2/3', '1']);
  assert.deepEqual(equalSegmentSequence(4), ['0', '1/4', '2/4', '3/4', '1']);
});

test('golden: the Indexed Job manifest', () => {
  const file = join(import.meta.dirname, 'golden', 'k8s-job.yaml');
  const got = indexedJobManifest(opts);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, got);
  assert.equal(got, readFileSync(file, 'utf8'));
});

test('pod i runs segment i of the sequence with the shared start, its own output folder and the target host allowed', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-k8s-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const npx = join(dir, 'npx');
  writeFileSync(npx, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
  chmodSync(npx, 0o755);
  for (const [startAt, withStart] of [[opts.startAt, true], [undefined, false]] as const) {
    const yaml = indexedJobManifest({ ...opts, ...(startAt ? { startAt } : { startAt: undefined }) });
    const line = /^ {12}- (".*")$/m.exec(yaml)?.[1];
    assert.ok(line, yaml);
    const command = JSON.parse(line) as string;
    const segments = ['0:1/3', '1/3:2/3', '2/3:1'];
    for (let i = 0; i < 3; i++) {
      const out = execFileSync('sh', ['-c', command], { env: { PATH: `${dir}:/usr/bin:/bin`, JOB_COMPLETION_INDEX: String(i), TARGET: opts.targetUrl, START_AT: startAt ?? '' }, encoding: 'utf8' }).trim().split('\n');
      const want = ['perfgate', 'run', 'baseline', '--profile', 'ci', '--target', opts.targetUrl, '--allow-host', 'api.example.internal',
        '--execution-segment', segments[i]!, '--execution-segment-sequence', '0,1/3,2/3,1', ...(withStart ? ['--start-at', opts.startAt] : []), '--out', `/results/part-${i}`, '--no-report'];
      assert.deepEqual(out, want, `pod ${i}`);
    }
  }
});
