import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { writeReport } from '../../src/run/write-report.ts';
import { drillRun, syntheticRun, writeRunDir } from './support.ts';
import { findChromium } from '../support/chromium.ts';
import { compareRuns } from '../../src/compare/compare.ts';
import { syntheticRun as compareRun } from '../compare/support.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/runs/', import.meta.url));


let browser: BrowserContext | undefined;
let root = '';
const executablePath = findChromium();

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'perfgate-browser-'));
  if (!executablePath) return;
  // a fresh profile folder per run: playwright passes it to chromium as --user-data-dir
  browser = await chromium.launchPersistentContext(join(root, 'profile'), {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 900 },
    timeout: 30_000,
  });
});

after(async () => {
  await browser?.close();
  await rm(root, { recursive: true, force: true });
});

interface PageFindings {
  consoleErrors: string[];
  consoleAll: string[];
  requests: string[];
  failed: string[];
  cspViolations: string[];
  pwned: unknown;
  text: string;
  status: string | null;
  charts: Array<{ id: string; width: number; height: number }>;
}

/** Opens a report from disk and collects everything that should not happen. */
async function openReport(htmlPath: string, screenshot?: string): Promise<PageFindings> {
  assert.ok(browser, 'chromium is required for this test');
  const page = await browser.newPage();
  const url = pathToFileURL(htmlPath).href;
  const f: PageFindings = { consoleErrors: [], consoleAll: [], requests: [], failed: [], cspViolations: [], pwned: undefined, text: '', status: null, charts: [] };
  page.on('console', (m) => {
    f.consoleAll.push(m.text());
    if (m.type() === 'error') f.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => f.consoleErrors.push(String(e)));
  page.on('request', (r) => {
    if (r.url() !== url) f.requests.push(r.url());
  });
  page.on('requestfailed', (r) => f.failed.push(r.url()));
  await page.addInitScript({ content: "window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));" });
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    await page.waitForTimeout(300);
    f.cspViolations = (await page.evaluate('window.__csp')) as string[];
    f.pwned = await page.evaluate('window.__pwned');
    f.text = (await page.evaluate('document.body.innerText')) as string;
    f.status = await page.getAttribute('#verdict', 'data-status');
    for (const fig of await page.$$('figure[data-chart]')) {
      const id = (await fig.getAttribute('data-chart')) ?? '';
      const box = await (await fig.$('svg'))?.boundingBox();
      f.charts.push({ id, width: box?.width ?? 0, height: box?.height ?? 0 });
    }
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  } finally {
    await page.close();
  }
  return f;
}

function assertClean(f: PageFindings): void {
  assert.deepEqual(f.consoleErrors, [], 'no console error');
  assert.deepEqual(f.cspViolations, [], 'no CSP violation');
  assert.deepEqual(f.requests, [], 'no network request attempted');
  assert.deepEqual(f.failed, [], 'no failed request');
}

test('chromium opens the failing report from disk: verdict, every chart drawn, no error, no request; screenshot saved', { skip: !executablePath && 'no chromium' }, async () => {
  const dir = join(root, 'fail');
  await cp(join(FIXTURES, 'fail'), dir, { recursive: true });
  const out = await writeReport(dir);
  const shot = join(dir, 'report.png');
  const f = await openReport(out.htmlPath, shot);
  assertClean(f);
  assert.equal(f.status, 'fail');
  assert.match(f.text, /FAIL/);
  assert.deepEqual(f.charts.map((c) => c.id).sort(), ['cache', 'cause', 'db-pool', 'db-query', 'endpoints', 'host', 'latency', 'pg-connections', 'spectrum', 'throughput']);
  for (const c of f.charts) assert.ok(c.width > 100 && c.height > 50, `${c.id} is ${c.width}x${c.height}`);
  assert.ok((await stat(shot)).size > 10_000);
});

/** The texts (and their fill) drawn inside one chart's SVG on an open page. */
async function chartTexts(page: import('playwright-core').Page, id: string): Promise<Array<{ text: string; fill: string }>> {
  return page.$$eval(`figure[data-chart="${id}"] svg text`, (els) => els.map((e) => ({ text: e.textContent ?? '', fill: e.getAttribute('fill') ?? '' })));
}

/** Every axis of every chart on the page with its tick labels; a report where two ticks of one axis read alike fails. */
async function assertAxesDistinct(page: import('playwright-core').Page): Promise<number> {
  const axes = await page.$$eval('figure[data-chart] svg g[aria-roledescription="axis"]', (gs) =>
    gs.map((g) => ({ chart: g.closest('figure')?.getAttribute('data-chart') ?? '', name: g.getAttribute('aria-label') ?? '', labels: [...g.querySelectorAll('.role-axis-label text')].map((t) => t.textContent ?? '') })),
  );
  for (const a of axes) assert.equal(new Set(a.labels).size, a.labels.length, `${a.chart}: ${a.name}: ${JSON.stringify(a.labels)}`);
  return axes.length;
}

test('no axis of any chart has two equal tick labels: the pass, fail, no-server, drill and a two-second run', { skip: !executablePath && 'no chromium' }, async () => {
  const dirs: string[] = [];
  for (const name of ['pass', 'fail', 'no-server']) {
    const dir = join(root, `axes-${name}`);
    await cp(join(FIXTURES, name), dir, { recursive: true });
    dirs.push(dir);
  }
  for (const [name, r] of [['drill', drillRun()], ['short', syntheticRun({ durationS: 2, verdict: 'pass' })]] as const) {
    const dir = join(root, `axes-${name}`);
    await writeRunDir(dir, r);
    dirs.push(dir);
  }
  const page = await browser!.newPage();
  try {
    for (const dir of dirs) {
      const out = await writeReport(dir);
      await page.goto(pathToFileURL(out.htmlPath).href, { waitUntil: 'load' });
      assert.ok((await assertAxesDistinct(page)) >= 8, dir);
    }
  } finally {
    await page.close();
  }
});

test('a failed threshold scoped to an endpoint and a phase is drawn on its charts and leads "What happened"', { skip: !executablePath && 'no chromium' }, async () => {
  const dir = join(root, 'drill');
  await writeRunDir(dir, drillRun());
  const out = await writeReport(dir);
  const f = await openReport(out.htmlPath, join(dir, 'report.png'));
  assertClean(f);
  assert.equal(f.status, 'fail');
  const page = await browser!.newPage();
  try {
    await page.goto(pathToFileURL(out.htmlPath).href, { waitUntil: 'load' });
    const red = '#cf222e';
    const latency = await chartTexts(page, 'latency');
    assert.ok(latency.some((t) => t.fill === red && t.text.includes('company, outage: p95 < 100 ms, was 258 ms')), `latency chart: ${JSON.stringify(latency.map((t) => t.text))}`);
    const endpoints = await chartTexts(page, 'endpoints');
    assert.ok(endpoints.some((t) => t.fill === red && /^p95 \S+ ms · SLO < 100 ms in outage: 258 ms ✘/.test(t.text)), `endpoint chart: ${JSON.stringify(endpoints.map((t) => t.text))}`);
    const bar = await page.$eval('figure[data-chart="endpoints"] svg path[aria-label*="endpoint: company; pct: p95"]', (e) => e.getAttribute('fill'));
    assert.equal(bar, red, "the company p95 bar is red: its own SLO failed");
    const first = await page.$eval('ul.causes li', (e) => e.textContent);
    assert.equal(first, 'The p95 latency of company requests during outage was 258 ms; the SLO asks for below 100 ms (158% past it).');
  } finally {
    await page.close();
  }
});

test('chromium shows the no-server report with its notes in place of the missing charts', { skip: !executablePath && 'no chromium' }, async () => {
  const dir = join(root, 'no-server');
  await cp(join(FIXTURES, 'no-server'), dir, { recursive: true });
  const out = await writeReport(dir);
  const f = await openReport(out.htmlPath, join(dir, 'report.png'));
  assertClean(f);
  assert.equal(f.status, 'pass');
  assert.deepEqual(f.charts.map((c) => c.id).sort(), ['endpoints', 'host', 'latency', 'spectrum', 'throughput']);
  assert.match(f.text, /Left out for lack of data: [^\n]*Database pool: no pool metrics [^\n]*; PostgreSQL connections: no postgres collector data/);
});

test('hostile names, URLs, errors and labels show as text and nothing in them executes', { skip: !executablePath && 'no chromium' }, async () => {
  const payload = `<script>window.__pwned=1;console.log("PWNED")</script></script>"'><img src=x onerror="window.__pwned=2;console.log('PWNED')">`;
  const r = syntheticRun({ durationS: 12, hostile: payload, scenario: `evil${payload}`, baseUrl: `http://127.0.0.1:8080/${payload}`, verdict: 'fail' });
  r.run.statusReason = `boom ${payload}`;
  r.samples.push({ tMs: 1000, source: 'postgres', metric: 'pg_connections', value: null, error: payload });
  const dir = join(root, 'hostile');
  await writeRunDir(dir, r);
  const out = await writeReport(dir);
  const f = await openReport(out.htmlPath, join(dir, 'report.png'));
  assertClean(f);
  assert.equal(f.pwned, undefined);
  assert.ok(!f.consoleAll.some((m) => m.includes('PWNED')));
  assert.ok(f.text.includes('<script>window.__pwned=1;console.log("PWNED")</script>'), 'the payload shows as text');
  assert.ok(f.text.includes('onerror="window.__pwned=2'), 'the attribute payload shows as text');
  assert.ok(f.charts.length >= 9);
});

test('the "Compared with baseline" section shows its band chart and table, with hostile request names as text', { skip: !executablePath && 'no chromium' }, async () => {
  const payload = `<script>window.__pwned=3;console.log("PWNED")</script>"'><img src=x onerror="window.__pwned=4;console.log('PWNED')">`;
  const spec = { durationS: 20, ratePerS: 50, names: ['list', `evil${payload}`], runSpread: 0.02, server: {} };
  const bases = Array.from({ length: 5 }, (_, j) => compareRun({ ...spec, seed: 8_000 + j }));
  const result = compareRuns(bases, compareRun({ ...spec, seed: 8_009, slowdown: { factor: 1.3, name: `evil${payload}` } }));
  result.reason = `${result.reason} ${payload}`;
  const dir = join(root, 'compared');
  await cp(join(FIXTURES, 'fail'), dir, { recursive: true });
  await writeFile(join(dir, 'compare.json'), JSON.stringify(result));
  const out = await writeReport(dir);
  const f = await openReport(out.htmlPath, join(dir, 'report.png'));
  assertClean(f);
  assert.equal(f.pwned, undefined);
  assert.ok(!f.consoleAll.some((m) => m.includes('PWNED')));
  assert.match(f.text, /Compared with baseline\n+regressed: /);
  assert.ok(f.text.includes(`minimum effect: http_req_duration p(50)`) && f.text.includes(payload), "the reason, payload as text");
  assert.ok(f.text.includes(`http_req_duration{name:evil${payload}} p(95)`), 'the hostile name shows as text in the table');
  assert.match(f.text, /metric\tbaseline\tcandidate\tchange\tinterval \(90%\)\tverdict/);
  const page = await browser!.newPage();
  try {
    await page.goto(pathToFileURL(out.htmlPath).href, { waitUntil: 'load' });
    const box = await (await page.$('figure[data-compare-chart] svg'))?.boundingBox();
    assert.ok(box && box.width > 300 && box.height > 100, `band chart ${JSON.stringify(box)}`);
    const rows = await page.$$eval('#compare tbody tr', (trs) => trs.map((t) => t.getAttribute('data-verdict')));
    assert.equal(rows.length, result.comparisons.length);
    assert.equal(rows[0], 'regressed', 'regressions first');
  } finally {
    await page.close();
  }
});
