// The SLO catalogue and the alert rules as a Prometheus rules file: recording rules for the SLIs the catalogue
// names, the alert rules perfgate evaluates as alerting rules (same threshold, window, `for`, warm-up and phases),
// and the multi-window multi-burn-rate alerts on the availability error budget (SRE workbook, chapter 5). Pure:
// the catalogue and the rules in, a document out; one edit in scenarios/slos.ts or the alert rules changes both
// perfgate's own evaluation and this file.

import { ConfigError } from '../errors.ts';
import { HTTP_SLO_BUCKETS_S } from '../metrics/buckets.ts';
import type { Aggregation } from '../metrics/aggregate.ts';
import type { AlertRule } from './alert-rules.ts';
import { parseThresholds, type ParsedThreshold, type ThresholdInput } from './grammar.ts';
import { HTTP_HISTOGRAM, PROM_SOURCES, promDuration, selectorOf } from './promql.ts';
import { toYaml, type YamlValue } from './yaml.ts';

/** The SLO catalogue's shape (scenarios/slos.ts): set name -> metric key -> expressions. */
export type SloCatalogue = Record<string, Record<string, ThresholdInput[]>>;

/** A recording rule. */
export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

/** An alerting rule. */
export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A rules file: groups of rules. */
export interface RulesFile {
  groups: Array<{ name: string; interval?: string; rules: Array<RecordingRule | AlertingRule> }>;
}

/** Export options. */
export interface PrometheusRulesOptions {
  /** The group evaluation interval ("1s" in the lab); the server's global interval when absent. */
  interval?: string;
  /** Where the runbook lives (default the README section); its entries are by rule name. */
  runbookUrl?: string;
}

/** The window the SLI recording rules read. */
const SLI_WINDOW = '1m';
/** The burn-rate windows of the SRE workbook: a long and a short one per alert, and the burn factor. */
export const BURN_RATE_ALERTS = [
  { name: 'fast', long: '1h', short: '5m', factor: 14.4, severity: 'P1', for: '2m' },
  { name: 'slow', long: '6h', short: '30m', factor: 6, severity: 'P2', for: '15m' },
] as const;

/** The harness' series that say when the load started and which phase runs (absent outside perfgate runs). */
export const HARNESS_LOAD_START = 'perfgate_load_start_timestamp_seconds';
export const HARNESS_PHASE = 'perfgate_phase_active';

/** The Prometheus alert name of a perfgate rule: `cache-hit` -> `PerfgateCacheHit`. */
export function alertName(rule: string): string {
  return `Perfgate${rule.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('')}`;
}

/** The recording rule name of an SLI: `perfgate:http_req_duration:p95_1m`. */
export function sliRecordName(metric: string, agg: Aggregation, window = SLI_WINDOW): string {
  const a = agg.kind === 'p' ? `p${String(agg.p).replace('.', '_')}` : agg.kind;
  return `perfgate:${metric}:${a}_${window}`;
}

/** The comparison of a threshold in PromQL (k6's `==` and `!=` are the same). */
const op = (t: ParsedThreshold): string => t.operator;

/** The catalogue's thresholds, parsed; a set that does not parse is a ConfigError. */
function catalogueThresholds(catalogue: SloCatalogue): Array<{ set: string; t: ParsedThreshold }> {
  return Object.entries(catalogue).flatMap(([set, keys]) => parseThresholds(keys).map((t) => ({ set, t })));
}

/** The SLI recording rules: request rate, error ratio over the burn-rate windows, each aggregation the catalogue judges, and the share of requests within each latency limit that is a bucket edge. */
export function sliRules(catalogue: SloCatalogue): RecordingRule[] {
  const rules: RecordingRule[] = [{ record: `perfgate:http_reqs:rate_${SLI_WINDOW}`, expr: PROM_SOURCES.http_reqs.over({ kind: 'rate' }, SLI_WINDOW, '') }];
  const windows = [SLI_WINDOW, ...BURN_RATE_ALERTS.flatMap((b) => [b.short, b.long])];
  for (const w of [...new Set(windows)]) rules.push({ record: errorRatioRecord(w), expr: PROM_SOURCES.http_req_failed.over({ kind: 'rate' }, w, '') });
  const seen = new Set<string>(rules.flatMap((r) => [r.record, r.expr]));
  const edgesMs = new Set<number>();
  for (const { t } of catalogueThresholds(catalogue)) {
    if (!PROM_SOURCES[t.metric]) continue;
    if (t.metric === 'http_req_duration' && HTTP_SLO_BUCKETS_S.some((b) => Math.abs(b * 1000 - t.limit) < 1e-9)) edgesMs.add(t.limit);
    const record = sliRecordName(t.metric, t.aggregation);
    const expr = PROM_SOURCES[t.metric].over(t.aggregation, SLI_WINDOW, selectorOf(t.metric, t.tags, `slos.${t.key}`));
    if (seen.has(record) || seen.has(expr)) continue;
    seen.add(record).add(expr);
    rules.push({ record, expr });
  }
  for (const ms of [...edgesMs].sort((a, b) => a - b)) {
    rules.push({
      record: `perfgate:http_req_duration:within_${ms}ms_ratio_${SLI_WINDOW}`,
      expr: `sum(rate(${HTTP_HISTOGRAM}_bucket{le="${ms / 1000}"}[${SLI_WINDOW}])) / sum(rate(${HTTP_HISTOGRAM}_count[${SLI_WINDOW}]))`,
    });
  }
  return rules;
}

/** The error-ratio recording rule of a window. */
export const errorRatioRecord = (w: string): string => `perfgate:http_req_failed:ratio_rate${w}`;

/** The SLO set a metric belongs to first in the catalogue ("api" for http_req_failed), or "none". */
function sloOf(catalogue: SloCatalogue, metric: string): string {
  for (const [set, keys] of Object.entries(catalogue)) if (Object.keys(keys).some((k) => k.split('{')[0] === metric)) return set;
  return 'none';
}

/** One perfgate alert rule as a Prometheus alerting rule, with the guards for minimum samples, warm-up and phases. */
export function alertingRule(rule: AlertRule, catalogue: SloCatalogue, runbookUrl: string): AlertingRule {
  const t = rule.threshold;
  const path = `alerts.${rule.name}.metric`;
  const src = PROM_SOURCES[t.metric];
  const sel = selectorOf(t.metric, t.tags, path);
  const w = promDuration(rule.windowMs);
  let expr: string;
  try {
    expr = `(${src.over(t.aggregation, w, sel)}) ${op(t)} ${t.limit}`;
  } catch (err) {
    throw err instanceof ConfigError ? new ConfigError(err.issues.map((i) => ({ ...i, path: `alerts.${rule.name}.${i.path}` })), err.message.split(':')[0]) : err;
  }
  if (rule.minSamples > 1) expr += `\n  and on() (${src.count(w, sel)} >= ${rule.minSamples})`;
  if (rule.warmupMs > 0) {
    expr += `\n  unless on() (time() - max(${HARNESS_LOAD_START}) <= ${rule.warmupMs / 1000})`;
    expr += `\n  unless on() (max(${HARNESS_PHASE}{phase="warm-up"}) == 1)`;
  }
  if (rule.phases) expr += `\n  unless on() (max(${HARNESS_PHASE}{phase!~${JSON.stringify(rule.phases.map(escapeRegex).join('|'))}}) == 1)`;
  const slo = sloOf(catalogue, t.metric);
  return {
    alert: alertName(rule.name),
    expr,
    ...(rule.forMs > 0 ? { for: promDuration(rule.forMs) } : {}),
    labels: { severity: rule.severity, rule: rule.name, slo },
    annotations: {
      summary: rule.summary,
      description: `perfgate alert rule "${rule.name}" (SLO "${slo}"): ${t.key} ${t.expression} over ${w}${rule.forMs > 0 ? ` for ${promDuration(rule.forMs)}` : ''}.`,
      runbook_url: runbookUrl,
    },
  };
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The availability objective's error budget: the `api` set's `rate<x` on http_req_failed (0.001 for 99.9%), else the tightest in the catalogue. */
export function errorBudget(catalogue: SloCatalogue): number | undefined {
  const limits = catalogueThresholds(catalogue.api ? { api: catalogue.api } : catalogue).filter(({ t }) => t.metric === 'http_req_failed' && Object.keys(t.tags).length === 0 && t.operator.startsWith('<')).map(({ t }) => t.limit);
  return limits.length ? Math.min(...limits) : undefined;
}

/** The multi-window multi-burn-rate alerts on the error budget: both windows of a pair above factor x budget. */
export function burnRateRules(budget: number, runbookUrl: string): AlertingRule[] {
  const objective = `${+((1 - budget) * 100).toFixed(4)}%`;
  return BURN_RATE_ALERTS.map((b) => {
    const limit = +(b.factor * budget).toPrecision(6);
    return {
      alert: alertName(`error-budget-burn-${b.name}`),
      expr: `${errorRatioRecord(b.long)} > ${limit}\n  and ${errorRatioRecord(b.short)} > ${limit}`,
      for: b.for,
      labels: { severity: b.severity, rule: `error-budget-burn-${b.name}`, slo: 'api' },
      annotations: {
        summary: `error budget of the ${objective} availability SLO burning ${b.factor}x (${b.long} and ${b.short} windows)`,
        description: `The error ratio over ${b.long} and over ${b.short} is above ${b.factor} x ${budget} = ${limit}: at this rate the 30-day budget is gone in ${+(30 / b.factor).toFixed(1)} days.`,
        runbook_url: runbookUrl,
      },
    };
  });
}

/** The rules file of the catalogue and the alert rules. */
export function prometheusRules(catalogue: SloCatalogue, rules: readonly AlertRule[], opts: PrometheusRulesOptions = {}): RulesFile {
  const runbook = opts.runbookUrl ?? 'README.md#runbook';
  const interval = opts.interval ? { interval: opts.interval } : {};
  const budget = errorBudget(catalogue);
  return {
    groups: [
      { name: 'perfgate-slis', ...interval, rules: sliRules(catalogue) },
      { name: 'perfgate-alerts', ...interval, rules: rules.map((r) => alertingRule(r, catalogue, runbook)) },
      ...(budget !== undefined ? [{ name: 'perfgate-error-budget', ...interval, rules: burnRateRules(budget, runbook) }] : []),
    ],
  };
}

/** The rules file as YAML. */
export function rulesYaml(file: RulesFile, source: string): string {
  return toYaml(file as unknown as YamlValue, `Prometheus rules exported by perfgate from ${source}.\nCheck: promtool check rules <this file>. Do not edit: export again after changing the SLOs or alert rules.`);
}
