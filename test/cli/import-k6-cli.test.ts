import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../support/cli.ts';
import { k6Output } from '../support/k6-json.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'perfgate-import-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('perfgate import k6, merge, check and report work on k6 output from the command line', async () => {
  const out = k6Output({ seconds: 6, perSecond: 40, pods: 2 });
  const pods = out.pods.map((lines, i) => {
    const file = join(dir, `pod-${i}.json.gz`);
    writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
    return file;
  });
  const imported = await runCli(['import', 'k6', ...pods, '--out', join(dir, 'run')], { cwd: dir });
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(imported.stdout.trim(), join(dir, 'run'));
  assert.match(imported.stderr, /240 requests in \d+ intervals/);
  const checked = await runCli(['check', join(dir, 'run')], { cwd: dir });
  assert.ok(checked.code === 0 || checked.code === 99, checked.stderr);
  assert.match(checked.stdout, /http_req_duration p\(95\)<500/);
  const report = await runCli(['report', join(dir, 'run')], { cwd: dir });
  assert.equal(report.code, 0, report.stderr);
  assert.ok(existsSync(join(dir, 'run', 'report.html')));

  const bad = join(dir, 'bad.json');
  writeFileSync(bad, `${out.whole.slice(0, 5).join('\n')}\nnot json\n`);
  const refused = await runCli(['import', 'k6', bad, '--out', join(dir, 'bad-run')], { cwd: dir });
  assert.equal(refused.code, 104);
  assert.match(refused.stderr, /bad\.json:6: not JSON/);

  const merged = await runCli(['merge', join(dir, 'run'), join(dir, 'run'), '--out', join(dir, 'run')], { cwd: dir });
  assert.equal(merged.code, 104, 'an --out that is a run directory is refused');
});
