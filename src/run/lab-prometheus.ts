// A run on a lab with Prometheus: before the load, the scenario's rules are loaded (SIGHUP) and the harness'
// /metrics is put in the harness job's target list, and the run waits for its first scrape; after the load, it waits
// for the rules to be evaluated past the end, reads from the HTTP API which alerts fired and when (ALERTS over the
// run) and how evenly the harness and the target were scraped, and writes prometheus-alerts.json.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { slos } from '../../scenarios/slos.ts';
import { resolveAlertRules, type AlertOverrides } from '../slo/alert-rules.ts';
import { prometheusRules, rulesYaml } from '../slo/prometheus-rules.ts';
import { alertsFromMatrix, PROMETHEUS_ALERTS_FILE, scrapeCoverage, type MatrixSeries, type PrometheusAlertsJson } from '../slo/prometheus-alerts.ts';
import { reloadPrometheus, setHarnessTargets, type PrometheusInfo } from '../lab/prometheus.ts';
import { writeJsonAtomic } from '../results/atomic-write.ts';
import { LabError } from '../errors.ts';
import type { RunContext, RunHooks } from './hooks.ts';

/** The rules file the lab's Prometheus loads: the SLO catalogue and the alert rules with a scenario's overrides. */
export function labRulesYaml(overrides?: AlertOverrides, source = 'the SLO catalogue and the default alert rules'): string {
  return rulesYaml(prometheusRules(slos, resolveAlertRules(overrides)), source);
}

/** A GET on the HTTP API; the `data` of a success, else a LabError with Prometheus' error. */
async function api<T>(info: PrometheusInfo, path: string, params: Record<string, string> = {}): Promise<T> {
  const url = `${info.url}/api/v1/${path}?${new URLSearchParams(params)}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json().catch(() => ({}))) as { status?: string; data?: T; error?: string };
  if (!res.ok || body.status !== 'success') throw new LabError(`prometheus: ${path} answered ${res.status}: ${body.error ?? 'no data'}`);
  return body.data as T;
}

/** Polls `check` every 100 ms until true, for at most `timeoutMs`; false at the deadline. */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await sleep(100);
  }
  return false;
}

/** Whether the harness job has scraped `address` successfully. */
async function harnessScraped(info: PrometheusInfo, address: string): Promise<boolean> {
  const data = await api<{ activeTargets: Array<{ labels: Record<string, string>; health: string }> }>(info, 'targets', { state: 'active' });
  return data.activeTargets.some((t) => t.labels.job === 'harness' && t.labels.instance === address && t.health === 'up');
}

/** The earliest last evaluation of the rule groups (Unix ms), or 0 without groups. */
async function rulesEvaluatedUntil(info: PrometheusInfo): Promise<number> {
  const data = await api<{ groups: Array<{ lastEvaluation: string }> }>(info, 'rules');
  return data.groups.length ? Math.min(...data.groups.map((g) => Date.parse(g.lastEvaluation))) : 0;
}

/** The scenario's rules loaded and the harness at `harnessUrl` scraped; resolves once its first scrape is in. */
export async function registerRun(info: PrometheusInfo, opts: { overrides?: AlertOverrides; scenario: string; harnessUrl: string; onLog?: (line: string) => void }): Promise<{ address: string; release(): void }> {
  const rules = labRulesYaml(opts.overrides, `scenario ${opts.scenario}`);
  if (readFileSync(info.rulesFile, 'utf8') !== rules) await reloadPrometheus(info, rules);
  const address = new URL(opts.harnessUrl).host;
  setHarnessTargets(info, [address]);
  if (!(await until(() => harnessScraped(info, address), 15_000))) throw new LabError(`prometheus: the harness at ${opts.harnessUrl} was not scraped within 15 s (see ${info.logFile})`);
  opts.onLog?.(`prometheus ${info.url} scrapes the harness at ${opts.harnessUrl}`);
  return { address, release: () => setHarnessTargets(info, []) };
}

/** A range query's matrix. */
const range = (info: PrometheusInfo, query: string, fromS: number, toS: number, stepS: number): Promise<MatrixSeries[]> =>
  api<{ result: MatrixSeries[] }>(info, 'query_range', { query, start: String(fromS), end: String(toS), step: String(stepS) }).then((d) => d.result);

/** The raw samples of a series over the last `seconds` before `atS`. */
const rawSamples = (info: PrometheusInfo, selector: string, seconds: number, atS: number): Promise<Array<[number, string]>> =>
  api<{ result: MatrixSeries[] }>(info, 'query', { query: `${selector}[${seconds}s]`, time: String(atS) }).then((d) => d.result.flatMap((s) => s.values));

/**
 * What Prometheus saw of the run, from its start (t0) to `endMs` (run-relative).
 * wait for the rules to be evaluated past the end -> ALERTS firing and pending over the run -> `up` of the harness and the target.
 */
export async function readPrometheusRun(info: PrometheusInfo, opts: { t0EpochMs: number; endMs: number; harnessAddress: string }): Promise<PrometheusAlertsJson> {
  const { t0EpochMs, endMs } = opts;
  const endEpochMs = t0EpochMs + endMs;
  const stepMs = info.evaluationIntervalMs;
  const base = { version: 1 as const, scrapeIntervalMs: info.scrapeIntervalMs, evaluationIntervalMs: stepMs, fromMs: 0, toMs: endMs };
  try {
    // the last scrape of the run, then an evaluation after it
    const evaluated = await until(async () => (await rulesEvaluatedUntil(info)) >= endEpochMs + info.scrapeIntervalMs + stepMs, 15_000);
    const fromS = t0EpochMs / 1000;
    const toS = (endEpochMs + info.scrapeIntervalMs + stepMs) / 1000;
    const stepS = stepMs / 1000;
    const [firing, pending] = await Promise.all([range(info, 'ALERTS{alertstate="firing"}', fromS, toS, stepS), range(info, 'ALERTS{alertstate="pending"}', fromS, toS, stepS)]);
    const seconds = Math.ceil((toS - fromS) + 1);
    const jobs = [
      { job: 'harness', selector: `up{job="harness",instance="${opts.harnessAddress}"}` },
      { job: 'target', selector: 'up{job="target"}' },
    ];
    const scrapes = await Promise.all(jobs.map(async (j) => scrapeCoverage(j.job, await rawSamples(info, j.selector, seconds, endEpochMs / 1000), t0EpochMs, { fromMs: 0, toMs: endMs }, info.scrapeIntervalMs)));
    return { ...base, alerts: alertsFromMatrix(firing, pending, t0EpochMs, stepMs), scrapes, ...(evaluated ? {} : { error: 'the rules were not evaluated past the end of the run within 15 s: the last seconds may be missing' }) };
  } catch (err) {
    return { ...base, alerts: [], scrapes: [], error: (err as Error).message };
  }
}

/** The run's hooks with the read-back after the load: prometheus-alerts.json is in the run directory before finalize reads it. */
export function withPrometheusReadback(hooks: RunHooks, info: PrometheusInfo, harnessAddress: string, onLog?: (line: string) => void): RunHooks {
  return {
    ...hooks,
    async afterLoad(ctx: RunContext) {
      const endMs = ctx.clock();
      await hooks.afterLoad?.(ctx);
      const read = await readPrometheusRun(info, { t0EpochMs: Date.parse(ctx.run.startedAt), endMs, harnessAddress });
      writeJsonAtomic(join(ctx.runDir, PROMETHEUS_ALERTS_FILE), read);
      const fired = read.alerts.filter((a) => a.firing.length).map((a) => a.alert);
      onLog?.(`prometheus: ${fired.length ? `fired ${fired.join(', ')}` : 'no alert fired'}${read.error ? ` (${read.error})` : ''}`);
    },
  };
}
