// The verdict never says more than the data: a run with no thresholds is "NO THRESHOLDS", not a pass, with its error
// rate and P0 alerts first; every line states its sample count, and a percentile over too few samples is marked, in
// every output of the real `perfgate check` and `perfgate report`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticRun, writeSyntheticRunDir } from './synthetic-run.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');
let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'perfgate-honest-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs the real CLI; resolves to its exit code and output. */
function perfgate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...process.env, GITHUB_STEP_SUMMARY: '' }, timeout: 120_000 }, (_err, stdout, stderr) => {
      resolve({ code: child.exitCode ?? 1, stdout, stderr });
    });
  });
}

test('no thresholds with every request refused: NO THRESHOLDS (exit 0) with the error rate and the P0 alert first, never PASS; 99 with --fail-on-alerts', async () => {
  const dir = await writeSyntheticRunDir(join(root, 'unauthorised'), syntheticRun([{ name: 'steady', seconds: 20, perS: 20, failShare: 1 }]));
  const { code, stdout } = await perfgate(['check', dir]);
  assert.equal(code, 0, stdout);
  const first = stdout.split('\n')[0];
  assert.match(first, /^NO THRESHOLDS \(exit 0\): no thresholds, so nothing was judged; errors 100% \(400 of 400 requests\); \d+ alert rule\(s\) would have fired: P0 error-rate \(error rate above 5%\) at \d+ s/);
  assert.doesNotMatch(stdout, /PASS/);
  const verdict = JSON.parse(await readFile(join(dir, 'verdict.json'), 'utf8'));
  assert.equal(verdict.status, 'no-thresholds');
  assert.deepEqual(verdict.requests, { total: 400, failed: 400 });
  const md = await readFile(join(dir, 'summary.md'), 'utf8');
  assert.match(md.split('\n')[0], /^## perfgate ➖ NO THRESHOLDS: synthetic/);
  assert.match(md, /errors 100% \(400 of 400 requests\)/);
  assert.doesNotMatch(md, /PASS|✅/);
  assert.match(await readFile(join(dir, 'junit.xml'), 'utf8'), /<property name="status" value="no-thresholds"\/>/);
  const report = await perfgate(['report', dir]);
  assert.equal(report.code, 0, report.stderr);
  const html = await readFile(join(dir, 'report.html'), 'utf8');
  assert.match(html, /data-status="no-thresholds"><span class="status">NO THRESHOLDS<\/span>/);
  assert.match(html, /errors 100% \(400 of 400 requests\)/);
  assert.doesNotMatch(html, /class="banner pass"/);
  const strict = await perfgate(['check', dir, '--fail-on-alerts']);
  assert.equal(strict.code, 99, strict.stdout);
  assert.match(strict.stdout, /^FAIL \(exit 99\)/);
});

test('every verdict line states its sample count, and p(95) over 16 requests is marked "few samples" in every output', async () => {
  const data = syntheticRun([
    { name: 'before', seconds: 10, perS: 30 },
    { name: 'outage', seconds: 4, perS: 4, latencyMs: 137 },
    { name: 'after', seconds: 10, perS: 30 },
  ]);
  (data.run as { config: unknown }).config = { thresholds: { 'http_req_duration{phase:outage}': ['p(95)<100'], 'http_req_duration{phase:before}': ['p(95)<100'] } };
  const dir = await writeSyntheticRunDir(join(root, 'outage'), data);
  const { code, stdout } = await perfgate(['check', dir]);
  assert.equal(code, 99, stdout);
  assert.match(stdout, /✗ http_req_duration\{phase:outage\} p\(95\)<100 {2}137 ms {2}\(16 samples; few samples: p\(95\) needs 200\)/);
  assert.match(stdout, /✓ http_req_duration\{phase:before\} p\(95\)<100 {2}20\.02 ms {2}\(300 samples\)$/m);
  const verdict = JSON.parse(await readFile(join(dir, 'verdict.json'), 'utf8'));
  assert.deepEqual(verdict.thresholds.map((e: { samples: number; fewSamples?: unknown }) => [e.samples, e.fewSamples]), [[16, { minSamples: 200 }], [300, undefined]]);
  assert.match(verdict.reason, /observed 137 ms over 16 samples \(37\.1% past the limit\); few samples: p\(95\) needs 200/);
  const md = await readFile(join(dir, 'summary.md'), 'utf8');
  assert.match(md, /\| ❌ \| `http_req_duration\{phase:outage\}` \| `p\(95\)<100` \| 137 ms \| [^|]+ \| 16 ⚠️ few samples: p\(95\) needs 200 \|/);
  assert.match(md, /\| ✅ \| `http_req_duration\{phase:before\}` \| `p\(95\)<100` \| 20\.02 ms \| [^|]+ \| 300 \|/);
  const junit = await readFile(join(dir, 'junit.xml'), 'utf8');
  assert.match(junit, /<failure message="observed 137 ms, limit &lt; 100 ms, margin -37[\d.]* ms \(-37\.\d% of the limit\), 16 samples, few samples: p\(95\) needs 200"/);
  assert.match(junit, /<system-out>observed 20\.02 ms, margin [\d.]+ ms \([\d.]+% of the limit\); 300 samples<\/system-out>/);
  assert.equal((await perfgate(['report', dir])).code, 0);
  const html = await readFile(join(dir, 'report.html'), 'utf8');
  assert.match(html, /<td class="num">16 <span class="badge few" data-few-samples="200">few samples: p\(95\) needs 200<\/span><\/td>/);
  assert.match(html, /<td class="num">300<\/td>/);
});
