// `perfgate export grafana`: the provisioning files and the four boards, and the boards' JSON checked against Grafana's
// published dashboard schema (the Dashboard type of @grafana/schema, generated from Grafana's schema) by a strict tsc.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOARDS, boardQueries } from '../../src/slo/grafana-dashboards.ts';
import { runCli } from '../support/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Type-checks each set of dashboards (one file per set) as object literals of @grafana/schema's Dashboard, in one tsc run. */
function checkAgainstSchema(dir: string, sets: Record<string, Record<string, unknown>>): { code: number | null; out: string } {
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const files = Object.entries(sets).map(([file, dashboards]) => {
    const body = Object.entries(dashboards).map(([name, json], i) => `// ${name}\nexport const d${i}: Dashboard = ${JSON.stringify(json, null, 2)};`).join('\n');
    writeFileSync(join(dir, `${file}.ts`), `import type { Dashboard } from '@grafana/schema';\n${body}\n`);
    return join(dir, `${file}.ts`);
  });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--types', 'node', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', ...files], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('export grafana writes the provisioning files and the four boards, whose JSON holds to the dashboard schema', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-grafana-'));
  try {
    const out = join(dir, 'out');
    const r = await runCli(['export', 'grafana', '--out', out, '--dashboards-path', '/srv/grafana/perfgate'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(join(out, 'dashboards')).sort(), ['perfgate-api.json', 'perfgate-business.json', 'perfgate-database.json', 'perfgate-infrastructure.json']);
    assert.match(readFileSync(join(out, 'provisioning', 'datasources', 'perfgate.yml'), 'utf8'), /type: prometheus\n\s+access: proxy\n\s+url: \$\{PROMETHEUS_URL\}/);
    assert.match(readFileSync(join(out, 'provisioning', 'dashboards', 'perfgate.yml'), 'utf8'), /path: "\/srv\/grafana\/perfgate"/);
    const dashboards = Object.fromEntries(readdirSync(join(out, 'dashboards')).map((f) => [f, JSON.parse(readFileSync(join(out, 'dashboards', f), 'utf8'))]));
    for (const [f, d] of Object.entries(dashboards) as Array<[string, { panels: Array<{ targets: Array<{ expr: string; datasource: { uid: string } }> }> }]>) {
      assert.ok(d.panels.length >= 2, f);
      for (const p of d.panels) for (const t of p.targets) assert.equal(t.datasource.uid, '${datasource}', f);
    }
    // the check bites: a panel without its type, and a field the schema does not have, each in a file of its own
    const untyped = structuredClone(dashboards['perfgate-api.json']) as { panels: Array<Record<string, unknown>> };
    delete untyped.panels[0].type;
    const extra = { ...(dashboards['perfgate-api.json'] as object), colour: 'red' };
    const r2 = checkAgainstSchema(join(dir, 'tsc'), { boards: dashboards, untyped: { untyped }, extra: { extra } });
    assert.doesNotMatch(r2.out, /boards\.ts\(/, r2.out);
    assert.match(r2.out, /untyped\.ts\(\d+,\d+\): error TS2322[\s\S]*Property 'type' is missing/);
    assert.match(r2.out, /extra\.ts\(\d+,\d+\): error TS2353: [^\n]*'"?colour"?' does not exist in type 'Dashboard'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the boards are the plan\'s four, with the panels it names', () => {
  const titles = Object.fromEntries(BOARDS.map((b) => [b.uid, b.panels.map((p) => p.title)]));
  assert.deepEqual(titles, {
    'perfgate-api': ['Request rate', 'Latency percentiles', 'Error rate', 'Active connections'],
    'perfgate-database': ['Pool usage', 'Query duration p95', 'Slow queries', 'Lock waits'],
    'perfgate-infrastructure': ['CPU', 'Memory', 'Disk', 'Restarts'],
    'perfgate-business': ['API calls per client', 'Ingestion volume'],
  });
  assert.ok(boardQueries().every((q) => q.expr.length > 0));
});
