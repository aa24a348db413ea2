// `perfgate run <scenario> --baseline <dir>`: the comparison at the end of a real run, in the same outputs and exit code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { CompareJson } from '../../src/compare/types.ts';
import { startJsonServer } from '../support/servers.ts';

function scenario(baseUrl: string, path: string): string {
  return JSON.stringify({
    name: 'gate', target: { baseUrl },
    load: { executor: 'constant-arrival-rate', rate: 30, timeUnit: '1s', duration: '3s', preAllocatedVUs: 5, maxVUs: 20 },
    journeys: [{ name: 'get', steps: [{ name: 'item', method: 'GET', path }] }],
  });
}

test('a run with --baseline compares itself at the end and exits 99 when it is slower beyond the minimum', async () => {
  const server = await startJsonServer();
  const root = await mkdtemp(join(tmpdir(), 'perfgate-run-baseline-'));
  const exit = process.exitCode;
  try {
    await writeFile(join(root, 'base.json'), scenario(server.url, '/slow/20'));
    await writeFile(join(root, 'cand.json'), scenario(server.url, '/slow/45'));
    assert.equal(await main(['node', 'perfgate', 'run', join(root, 'base.json'), '--out', join(root, 'base', 'r1'), '--quiet', '--no-report']), 0);
    process.exitCode = undefined;
    assert.equal(await main(['node', 'perfgate', 'run', join(root, 'cand.json'), '--out', join(root, 'bad'), '--quiet', '--baseline', join(root, 'base'), '--min-effect', 'nope']), 104);
    assert.ok(!existsSync(join(root, 'bad')), 'bad comparison flags are refused before the load starts');
    process.exitCode = undefined;
    const code = await main(['node', 'perfgate', 'run', join(root, 'cand.json'), '--out', join(root, 'cand'), '--quiet', '--no-report', '--baseline', join(root, 'base')]);
    const json = JSON.parse(await readFile(join(root, 'cand', 'compare.json'), 'utf8')) as CompareJson;
    const p50 = json.comparisons.find((c) => c.key === 'http_req_duration p(50)');
    assert.equal(p50?.verdict, 'regressed', JSON.stringify(p50));
    assert.equal(json.method.mode, 'widened-within-run');
    assert.equal(code, 99);
    assert.ok(existsSync(join(root, 'cand', 'compare.md')) && existsSync(join(root, 'cand', 'compare-junit.xml')));
  } finally {
    process.exitCode = exit;
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
});
