// The lab's Prometheus on its own (no lab): its configuration passes promtool, it starts on a free loopback port,
// scrapes a harness once the target list names it, reloads new rules on SIGHUP, and refuses bad rules (keeping the
// old file). A real prometheus process, no mock.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prometheusConfig, reloadPrometheus, startPrometheus, type PrometheusHandle } from '../../src/lab/prometheus.ts';
import { labRulesYaml, readPrometheusRun, registerRun } from '../../src/run/lab-prometheus.ts';
import { startHarnessMetrics, type HarnessMetrics } from '../../src/run/harness-metrics.ts';
import { LabError } from '../../src/errors.ts';

describe('the lab\'s Prometheus', { timeout: 120_000 }, () => {
  let dir: string;
  let prom: PrometheusHandle;
  let harness: HarnessMetrics;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perfgate-prom-lab-'));
    prom = await startPrometheus({ dir: join(dir, 'prometheus'), logFile: join(dir, 'prometheus.log'), rulesYaml: labRulesYaml() });
    harness = await startHarnessMetrics(0);
  });
  after(async () => {
    await harness?.close();
    await prom?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('its configuration and rules pass promtool check config', () => {
    const r = spawnSync('promtool', ['check', 'config', join(dir, 'prometheus', 'prometheus.yml')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS: 1 rule files found/);
    const config = prometheusConfig({ scrapeIntervalMs: 1000, rulesFile: 'r.yml', harnessTargetsFile: 'h.json', selfAddress: '127.0.0.1:1', targetAddress: '127.0.0.1:2', tokenFile: 't' });
    assert.deepEqual((config.scrape_configs as Array<{ job_name: string }>).map((j) => j.job_name), ['prometheus', 'harness', 'target']);
    assert.deepEqual(config.global, { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' });
    const tls = prometheusConfig({ scrapeIntervalMs: 1000, rulesFile: 'r.yml', harnessTargetsFile: 'h.json', selfAddress: '127.0.0.1:1', targetAddress: '127.0.0.1:2', targetCaFile: 'ca.pem' });
    assert.deepEqual((tls.scrape_configs as Array<Record<string, unknown>>)[2], { job_name: 'target', metrics_path: '/metrics', static_configs: [{ targets: ['127.0.0.1:2'] }], scheme: 'https', tls_config: { ca_file: 'ca.pem' } });
  });

  test('listens on loopback only, and scrapes the harness once a run registers it', async () => {
    assert.match(prom.info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const t0 = Date.now();
    const reg = await registerRun(prom.info, { scenario: 'x', harnessUrl: harness.url });
    const rules = (await (await fetch(`${prom.info.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ name: string }> } };
    assert.deepEqual(rules.data.groups.map((g) => g.name).sort(), ['perfgate-alerts', 'perfgate-error-budget', 'perfgate-slis']);
    // a few seconds of scrapes, then the read-back sees them without gaps
    await until(async () => (await readPrometheusRun(prom.info, { t0EpochMs: t0, endMs: Date.now() - t0, harnessAddress: reg.address })).scrapes[0]!.scrapes >= 3, 20_000);
    const read = await readPrometheusRun(prom.info, { t0EpochMs: t0, endMs: Date.now() - t0, harnessAddress: reg.address });
    const h = read.scrapes.find((s) => s.job === 'harness')!;
    assert.ok(h.scrapes >= 3 && h.failed === 0, JSON.stringify(read));
    assert.deepEqual(read.alerts, [], 'nothing fires without load');
    reg.release();
    assert.equal(readFileSync(prom.info.harnessTargetsFile, 'utf8').trim(), '[]');
  });

  test('bad rules are refused on reload, and the file Prometheus had is put back', async () => {
    const before = readFileSync(prom.info.rulesFile, 'utf8');
    await assert.rejects(reloadPrometheus(prom.info, 'groups:\n  - name: x\n    rules:\n      - alert: Bad\n        expr: rate(\n'), (err: unknown) => err instanceof LabError && /reload failed/.test(err.message));
    assert.equal(readFileSync(prom.info.rulesFile, 'utf8'), before);
    await reloadPrometheus(prom.info); // the good file loads again
  });
});

/** Polls until `check` is true or the deadline passes. */
async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not reached');
}
