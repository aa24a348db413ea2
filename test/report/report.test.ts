import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeIndex, writeReport } from '../../src/run/write-report.ts';
import { readRunDir } from '../../src/results/read.ts';
import { main } from '../../src/cli/main.ts';
import { EXIT } from '../../src/errors.ts';
import { RUNS_FOLDER_MARKER } from '../../src/results/run-dir-writer.ts';
import { syntheticRun, writeRunDir } from './support.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/runs/', import.meta.url));
const ALL = ['latency', 'throughput', 'endpoints', 'spectrum', 'cause', 'db-pool', 'db-query', 'pg-connections', 'cache', 'host'];
const CLIENT_ONLY = ['latency', 'throughput', 'endpoints', 'spectrum', 'host'];

async function fixtureCopy(name: string): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-report-'));
  const dir = join(root, name);
  await cp(join(FIXTURES, name), dir, { recursive: true });
  return { root, dir };
}

function bannerText(html: string): string {
  const m = /<section class="banner[^"]*"[^>]*>([\s\S]*?)<\/section>/.exec(html);
  return (m?.[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
}

const golden = [
  { fixture: 'pass', status: 'pass', word: 'PASS', banner: /stress|baseline|normal/, met: /(\d+) of \1 SLOs met/, charts: ALL, sloRows: 8, causes: false },
  { fixture: 'fail', status: 'fail', word: 'FAIL', banner: /0 of 8 SLOs met\. Worst breach: http_req_duration\{name:company\} p\(95\) was 413 ms against &lt; 100 ms/, met: /SLOs met/, charts: ALL, sloRows: 8, causes: true },
  { fixture: 'interrupted', status: 'interrupted', word: 'INTERRUPTED', banner: /for 00:47 of 02:00 planned.*partial results.*interrupted by SIGINT/, met: /held over the partial results/, charts: ALL, sloRows: 8, causes: false },
  { fixture: 'no-server', status: 'pass', word: 'PASS', banner: /5 of 5 SLOs met/, met: /SLOs met/, charts: CLIENT_ONLY, sloRows: 5, causes: false },
];

for (const g of golden) {
  test(`the ${g.fixture} fixture gives the ${g.word} banner, its SLO rows and exactly the charts its data supports`, async () => {
    const { root, dir } = await fixtureCopy(g.fixture);
    try {
      const out = await writeReport(dir);
      const html = await readFile(out.htmlPath, 'utf8');
      assert.match(html, new RegExp(`data-status="${g.status}"`));
      const banner = bannerText(html);
      assert.ok(banner.startsWith(g.word), banner);
      assert.match(banner, g.banner);
      assert.match(banner, g.met);
      if (g.status !== 'pass') assert.doesNotMatch(banner, /^PASS/);
      const sloTable = /<h2>SLOs<\/h2><table>([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
      assert.equal((sloTable.match(/<tr class="(pass|fail)">/g) ?? []).length, g.sloRows);
      const svgs = (await readdir(join(dir, 'charts'))).sort();
      assert.deepEqual(svgs, g.charts.map((c) => `${c}.svg`).sort());
      for (const id of ALL) {
        if (g.charts.includes(id)) assert.match(html, new RegExp(`data-chart="${id}"[^>]*><svg`), id);
        else assert.match(html, new RegExp(`<p class="note chart-missing" data-charts-left-out>Left out for lack of data: [^\\n]*<span data-chart-missing="${id}"><strong>[^<]+</strong>: [^<]+</span>`), id);
      }
      assert.equal((html.match(/data-charts-left-out/g) ?? []).length, ALL.some((id) => !g.charts.includes(id)) ? 1 : 0, 'one line names every chart left out');
      assert.equal(html.includes('What happened'), g.causes);
      const run = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
      if (run.profile !== 'full') {
        // A smaller profile says what it ran beside the full-size description.
        assert.match(html, new RegExp(`<dt>description</dt><dd>[^<]+ \\(at full size\\)</dd><dt>profile</dt><dd>${run.profile}: up to [^<]+ for \\d\\d:\\d\\d</dd>`));
      }
      assert.doesNotMatch(html, /<script/i);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
}

test('the failing fixture explains the latency knee with the pool in one sentence', async () => {
  const { root, dir } = await fixtureCopy('fail');
  try {
    const html = await readFile((await writeReport(dir)).htmlPath, 'utf8');
    assert.match(html, /<li>p95 crossed 200 ms at \d\d:\d\d, when pool utilisation reached 100%/);
    assert.match(html, /Alert P1 &quot;db-pool&quot; would have fired at 01:00/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a run without verdict.json is NOT EVALUATED, and an interrupted one without it is still never PASS', async () => {
  const { root, dir } = await fixtureCopy('pass');
  const second = await fixtureCopy('interrupted');
  try {
    await rm(join(dir, 'verdict.json'));
    const html = await readFile((await writeReport(dir)).htmlPath, 'utf8');
    assert.ok(bannerText(html).startsWith('NOT EVALUATED'));
    assert.match(html, /The SLOs were not evaluated/);
    await rm(join(second.dir, 'verdict.json'));
    const html2 = await readFile((await writeReport(second.dir)).htmlPath, 'utf8');
    assert.ok(bannerText(html2).startsWith('INTERRUPTED'));
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(second.root, { recursive: true, force: true });
  }
});

test('the index lists every run by scenario, profile and time (newest first), its id in a tooltip, with its verdict and key figures, and draws the trends', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-index-'));
  try {
    for (const name of ['pass', 'fail', 'interrupted', 'no-server']) await cp(join(FIXTURES, name), join(root, name), { recursive: true });
    await writeFile(join(root, 'README.md'), 'not a run');
    await writeReport(join(root, 'fail'));
    const html = await readFile(await writeIndex(root), 'utf8');
    const order = [...html.matchAll(/data-run-id="([^"]+)"/g)].map((m) => m[1]);
    const runs = await Promise.all(['pass', 'fail', 'interrupted', 'no-server'].map(async (n) => JSON.parse(await readFile(join(root, n, 'run.json'), 'utf8'))));
    const expected = runs.sort((a, b) => a.scenario.localeCompare(b.scenario) || a.profile.localeCompare(b.profile) || b.startedAt.localeCompare(a.startedAt)).map((r) => r.id);
    assert.deepEqual(order, expected);
    const fail = runs.find((r) => r.status !== 'interrupted' && html.includes(`href="fail/report.html" title="run ${r.id}"`));
    assert.ok(fail, 'the failed run links its report from its start time, its id in the tooltip');
    assert.match(html, new RegExp(`>${fail.startedAt.slice(0, 10)} \\d\\d:\\d\\d:\\d\\d UTC</a>`));
    assert.doesNotMatch(html, /<td class="code">[0-9a-f-]{36}/, 'no bare UUID column');
    assert.match(html, /<span class="badge fail">FAIL<\/span>/);
    assert.match(html, /<span class="badge interrupted">INTERRUPTED<\/span>/);
    assert.match(html, /data-chart="trend-p95"[^>]*><svg/);
    assert.match(html, /data-chart="trend-errors"[^>]*><svg/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('perfgate report rebuilds the report and the index of its folder of runs, and a missing folder exits 104', async () => {
  const { root, dir } = await fixtureCopy('no-server');
  await writeFile(join(root, RUNS_FOLDER_MARKER), '');
  const writes: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  const savedExitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    // Record the CLI's text; the test runner's own (binary) events pass through untouched.
    process.stdout.write = ((s: string | Uint8Array, ...rest: unknown[]) =>
      typeof s === 'string' ? (writes.push(s), true) : (orig as (...a: unknown[]) => boolean).call(process.stdout, s, ...rest)) as typeof process.stdout.write;
    process.stderr.write = ((s: string | Uint8Array, ...rest: unknown[]) =>
      typeof s === 'string' ? (writes.push(s), true) : (origErr as (...a: unknown[]) => boolean).call(process.stderr, s, ...rest)) as typeof process.stderr.write;
    const code = await main(['node', 'perfgate', 'report', dir]);
    const missing = await main(['node', 'perfgate', 'report', join(root, 'nope')]);
    process.stdout.write = orig;
    process.stderr.write = origErr;
    assert.equal(code, EXIT.ok, writes.join(''));
    assert.ok(existsSync(join(dir, 'report.html')));
    assert.ok(existsSync(join(root, 'index.html')));
    assert.match(writes.join(''), /5 left out \(cause, db-pool, db-query, pg-connections, cache: no data\)/);
    assert.equal(missing, EXIT.invalidConfig);
  } finally {
    process.stdout.write = orig;
    process.stderr.write = origErr;
    process.exitCode = savedExitCode;
    await rm(root, { recursive: true, force: true });
  }
});

test('a password in a database URL or a secret field reaches no file the report writes', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-canary-'));
  const canary = 'Canary-s3cr3t-91f2';
  try {
    const dir = join(root, 'run');
    const r = syntheticRun({ durationS: 8, databaseUrl: `postgres://app:${canary}@127.0.0.1:5432/app`, baseUrl: `http://user:${canary}@127.0.0.1:8080/?token=${canary}` });
    (r.run.config as Record<string, unknown>).password = canary;
    r.run.statusReason = `could not connect to postgres://app:${canary}@127.0.0.1/app`;
    r.samples.push({ tMs: 1000, source: 'postgres', metric: 'pg_top_statement', value: 5, labels: { query: `SELECT 'postgres://u:${canary}@h/db'` } });
    await writeRunDir(dir, r);
    const out = await writeReport(dir);
    await writeIndex(root);
    const files = [out.htmlPath, ...out.chartPaths, join(root, 'index.html')];
    assert.ok(out.chartPaths.length >= 9);
    for (const f of files) assert.ok(!(await readFile(f, 'utf8')).includes(canary), `${f} leaks the password`);
    assert.match(await readFile(out.htmlPath, 'utf8'), /postgres:\/\/app:\*\*\*@127\.0\.0\.1/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('perfgate report streams the intervals into the same page as a run that read them all, request names redacted', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-streamed-'));
  const canary = 'Canary-n4me-77c1';
  try {
    const dir = join(root, 'run');
    const r = syntheticRun({ durationS: 20, names: [`http://u:${canary}@127.0.0.1/x?token=${canary}`, 'company'] });
    await writeRunDir(dir, r);
    const streamed = await readFile((await writeReport(dir)).htmlPath, 'utf8');
    const read = await readFile((await writeReport(dir, { data: await readRunDir(dir) })).htmlPath, 'utf8');
    assert.equal(streamed, read);
    assert.ok(!streamed.includes(canary), 'the request name leaks its password');
    assert.match(streamed, /company/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('chart SVGs carry hostile labels as escaped text, never as markup', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-hostile-svg-'));
  try {
    const dir = join(root, 'run');
    const payload = `<script>alert(1)</script><img src=x onerror="alert(2)">`;
    await writeRunDir(dir, syntheticRun({ durationS: 6, hostile: payload, verdict: 'fail' }));
    const out = await writeReport(dir);
    let seen = 0;
    for (const f of [out.htmlPath, ...out.chartPaths]) {
      const text = await readFile(f, 'utf8');
      assert.doesNotMatch(text, /<script|<img/i, f);
      if (text.includes('&lt;script&gt;alert(1)&lt;/script&gt;')) seen++;
    }
    assert.ok(seen >= 3, `the escaped payload shows in the page and the charts (${seen} files)`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a run killed before its first interval still gets a report, with every chart left out and said so', async () => {
  const root = await mkdtemp(join(tmpdir(), 'perfgate-empty-'));
  try {
    const dir = join(root, 'run');
    const r = syntheticRun({ durationS: 1, verdict: 'none', status: 'running', server: false });
    await writeRunDir(dir, { ...r, intervals: [], samples: [] });
    const out = await writeReport(dir);
    const html = await readFile(out.htmlPath, 'utf8');
    assert.equal(out.chartPaths.length, 0);
    assert.equal(out.omitted.length, 10);
    assert.ok(bannerText(html).startsWith('NOT EVALUATED'));
    assert.match(html, /No requests were recorded/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
