// `perfgate compare` on run directories written to disk: baseline selection, the outputs, the exit codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { runCompare } from '../../src/cli/commands/compare.ts';
import type { CompareJson } from '../../src/compare/types.ts';
import { syntheticRun, writeSyntheticRunDir, type SyntheticRunSpec } from './support.ts';

const spec: Partial<SyntheticRunSpec> = { durationS: 20, ratePerS: 50, names: ['list', 'item'], runSpread: 0.02, server: {} };
const flags = { baselines: '5', minEffect: '10%' };

async function folderOfRuns(root: string, names = spec.names): Promise<string> {
  const folder = join(root, 'base');
  for (let j = 0; j < 6; j++) {
    await writeSyntheticRunDir(join(folder, `run-${j}`), syntheticRun({ ...spec, names, seed: 7_000 + j }), { startedAt: `2026-01-0${j + 1}T00:00:00.000Z`, gitSha: 'aaa' });
  }
  await writeSyntheticRunDir(join(folder, 'other-scenario'), syntheticRun({ ...spec, names, seed: 7_100 }), { scenario: 'other', startedAt: '2026-02-01T00:00:00.000Z' });
  await writeSyntheticRunDir(join(folder, 'invalid'), syntheticRun({ ...spec, names, seed: 7_101 }), { status: 'invalid', startedAt: '2026-02-02T00:00:00.000Z' });
  return folder;
}

test('compare picks the newest 5 completed runs of the same scenario and profile, writes its outputs, and exits 99 on a regression', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-compare-'));
  try {
    const folder = await folderOfRuns(root);
    const cand = join(root, 'cand');
    await writeSyntheticRunDir(cand, syntheticRun({ ...spec, seed: 7_200, slowdown: { factor: 1.3, name: 'item' } }), { startedAt: '2026-03-01T00:00:00.000Z', gitSha: 'bbb' });
    let out = '';
    const code = await runCompare([folder], cand, flags, { write: (t) => (out += t), env: {} });
    assert.equal(code, 99);
    const json = JSON.parse(await readFile(join(cand, 'compare.json'), 'utf8')) as CompareJson;
    assert.deepEqual(json.baselines.map((b) => b.startedAt.slice(0, 10)), ['2026-01-06', '2026-01-05', '2026-01-04', '2026-01-03', '2026-01-02']);
    assert.equal(json.candidate.gitSha, 'bbb');
    const item = json.comparisons.find((c) => c.key === 'http_req_duration{name:item} p(95)');
    assert.equal(item?.verdict, 'regressed');
    assert.ok(item?.gated && item.ratio! > 1.15 && item.interval![0] > 1, JSON.stringify(item));
    assert.match(out, /### Compared with baseline: ❌ regressed/);
    assert.match(out, /\| `http_req_duration\{name:item\} p\(95\)` \| [\d.]+ ms \| [\d.]+ ms \| \+\d+% \| \+\d+% … \+\d+% \| ≥ \d+% \| ❌ regressed \|/);
    assert.equal(await readFile(join(cand, 'compare.md'), 'utf8'), out);
    const junit = await readFile(join(cand, 'compare-junit.xml'), 'utf8');
    assert.match(junit, /<testcase classname="compare.http_req_duration\{name:item\}" name="p\(95\)" time="0">\n {6}<failure message="regressed: change \+/);
    assert.equal((junit.match(/<testcase /g) ?? []).length, json.comparisons.length);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a same-build candidate passes (exit 0); bad flags and a folder without a matching baseline exit 104', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-compare-'));
  const exit = process.exitCode;
  try {
    const folder = await folderOfRuns(root);
    const cand = join(root, 'cand');
    await writeSyntheticRunDir(cand, syntheticRun({ ...spec, seed: 7_300 }), { startedAt: '2026-03-01T00:00:00.000Z' });
    const out = join(root, 'out');
    assert.equal(await runCompare([folder], cand, { ...flags, out }, { write: () => {}, env: {} }), 0);
    assert.ok(existsSync(join(out, 'compare.json')), '--out receives the outputs');
    assert.equal(await main(['node', 'perfgate', 'compare', folder, cand, '--min-effect', 'lots', '--out', out]), 104);
    const lonely = join(root, 'lonely');
    await writeSyntheticRunDir(join(lonely, 'x'), syntheticRun({ ...spec, seed: 7_400 }), { scenario: 'other', startedAt: '2026-01-01T00:00:00.000Z' });
    assert.equal(await main(['node', 'perfgate', 'compare', lonely, cand, '--out', out]), 104);
  } finally {
    process.exitCode = exit;
    await rm(root, { recursive: true, force: true });
  }
});

test('request names from the run are escaped in compare.md and compare-junit.xml', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-compare-'));
  try {
    const hostile = ['<img src=x onerror=alert(1)>|`x`', 'a&b"c'];
    const folder = await folderOfRuns(root, hostile);
    const cand = join(root, 'cand');
    await writeSyntheticRunDir(cand, syntheticRun({ ...spec, names: hostile, seed: 7_500 }), { startedAt: '2026-03-01T00:00:00.000Z' });
    let md = '';
    await runCompare([folder], cand, flags, { write: (t) => (md += t), env: {} });
    assert.ok(!md.split('\n').some((l) => l.startsWith('|') && /(?<!\\)\|`x`/.test(l)), 'pipes in names are escaped in table rows');
    const junit = await readFile(join(cand, 'compare-junit.xml'), 'utf8');
    assert.ok(!junit.includes('<img'), 'no raw markup in JUnit');
    assert.match(junit, /&lt;img src=x onerror=alert\(1\)&gt;/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('recorded runs: a candidate without server metrics is inconclusive on them, and one baseline uses the marked default spread', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-compare-'));
  try {
    const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'runs');
    let md = '';
    const code = await runCompare([join(fixtures, 'pass')], join(fixtures, 'no-server'), { ...flags, out: root }, { write: (t) => (md += t), env: {} });
    assert.equal(code, 0);
    const json = JSON.parse(await readFile(join(root, 'compare.json'), 'utf8')) as CompareJson;
    assert.equal(json.verdict, 'inconclusive');
    assert.deepEqual(json.method.runToRunSpread, { value: 0.05, source: 'default' });
    assert.match(md, /run-to-run spread of 5% \(default, an assumption: add baselines\)/);
    const db = json.comparisons.find((c) => c.key === 'db_query_duration p(95)');
    assert.equal(db?.verdict, 'inconclusive');
    assert.equal(db?.note, 'inconclusive: the candidate has no data for it');
    const p99 = json.comparisons.find((c) => c.key === 'http_req_duration{name:company} p(99)');
    assert.match(p99?.note ?? '', /p\(99\) needs at least 1000 samples per run/);
    assert.match(json.comparisons.find((c) => c.key === 'http_req_failed rate')?.note ?? '', /a run of 2995 requests would decide it/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
