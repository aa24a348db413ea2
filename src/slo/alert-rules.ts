// The alert rules: the production defaults, a scenario's overrides (`alerts: {...}`), and their validation into
// parsed rules. A rule has the shape of a Prometheus alerting rule, so it can be exported as one: a name, a severity
// label, an expression on a metric (a k6 aggregation and comparison that is true while the alert condition holds),
// a rolling `window` the expression reads, a `for` duration it must hold before the rule fires, and a summary. Like
// the SLOs, a rule can wait out a `warmup` and be limited to named `phases`. Pure.

import { ConfigError, type ConfigIssue } from '../errors.ts';
import { metricInfo } from '../metrics/catalog.ts';
import type { AlertFinding } from '../results/format.ts';
import { isDuration, parseDurationMs } from '../scenario/duration.ts';
import { parseThresholds, type ParsedThreshold } from './grammar.ts';

/** An alert rule as written (the defaults, and a scenario's `alerts` entries). */
export interface AlertRuleSpec {
  severity: AlertFinding['severity'];
  /** A metric key as in thresholds, tags allowed except phase: `http_req_failed`, `http_req_duration{name:company}`. */
  metric: string;
  /** The firing condition in k6's expression syntax: `rate>0.05`, `p(99)>5000`, `value<0.5`. */
  expr: string;
  /** The rolling window the expression reads, e.g. "10s" (default 10s). */
  window?: string;
  /** How long the condition must hold before the rule fires (Prometheus `for`; default 0s). */
  for?: string;
  /** Time from the start of the load during which the rule is not evaluated (a cold cache), e.g. "15s". */
  warmup?: string;
  /** Only these phases are evaluated (every stretch of each), like an SLO's `{phase:...}`. */
  phases?: string[];
  /** The fewest observations the window needs to be evaluated (default 10 for client metrics, 1 for server ones). */
  minSamples?: number;
  /** One line for people (Prometheus annotation `summary`). */
  summary: string;
}

/** A scenario's `alerts`: rule name -> a new rule, fields replacing a default rule's, or false to turn it off. */
export type AlertOverrides = Record<string, Partial<AlertRuleSpec> | false>;

/** A validated rule, ready to evaluate. */
export interface AlertRule {
  name: string;
  severity: AlertFinding['severity'];
  summary: string;
  threshold: ParsedThreshold;
  windowMs: number;
  forMs: number;
  warmupMs: number;
  phases?: string[];
  minSamples: number;
  spec: AlertRuleSpec;
}

/** The alert rules from our production targets (README "Alert rules"). */
export const DEFAULT_ALERT_RULES: Readonly<Record<string, AlertRuleSpec>> = {
  'error-rate': { severity: 'P0', metric: 'http_req_failed', expr: 'rate>0.05', summary: 'error rate above 5%' },
  'latency-p99': { severity: 'P0', metric: 'http_req_duration', expr: 'p(99)>5000', summary: 'p99 latency above 5 s' },
  'db-pool': { severity: 'P1', metric: 'db_pool_utilization', expr: 'avg>0.9', summary: 'database pool utilisation above 90%' },
  // A cache starts cold (a baseline at the ci profile reads 0 of 2 at 2 s, above 50% from 5 s on): its hit ratio is
  // judged once it has had time to fill, as the cache SLO is, and over at least 5 samples (5 s) of the window.
  'cache-hit': { severity: 'P1', metric: 'cache_hit_ratio', expr: 'value<0.5', warmup: '15s', minSamples: 5, summary: 'cache hit ratio below 50%' },
  'host-memory': { severity: 'P1', metric: 'host_memory_utilization', expr: 'avg>0.85', summary: 'host memory above 85%' },
  'redis-memory': { severity: 'P1', metric: 'redis_memory_utilization', expr: 'avg>0.85', summary: 'Redis memory above 85%' },
  'latency-p95': { severity: 'P2', metric: 'http_req_duration', expr: 'p(95)>500', summary: 'p95 latency above 500 ms' },
};

const SEVERITIES = ['P0', 'P1', 'P2'];
const FIELDS = ['severity', 'metric', 'expr', 'window', 'for', 'warmup', 'phases', 'minSamples', 'summary'];
const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** The defaults with a scenario's overrides applied: merged by name, `false` removing a rule. */
export function mergeAlertRules(overrides: AlertOverrides | undefined): Record<string, Partial<AlertRuleSpec>> {
  const out: Record<string, Partial<AlertRuleSpec>> = { ...DEFAULT_ALERT_RULES };
  for (const [name, o] of Object.entries(overrides ?? {})) {
    if (o === false) delete out[name];
    else out[name] = { ...(out[name] ?? {}), ...o };
  }
  return out;
}

/** Problems of one rule's duration field, as ConfigIssues; its value in ms (default when absent). */
function durationField(spec: Partial<AlertRuleSpec>, field: 'window' | 'for' | 'warmup', at: string, fallbackMs: number, issues: ConfigIssue[]): number {
  const v = spec[field];
  if (v === undefined) return fallbackMs;
  const ms = isDuration(v) ? parseDurationMs(v) : null;
  if (ms === null || (field === 'window' && ms <= 0)) {
    issues.push({ path: `${at}.${field}`, message: `bad duration ${JSON.stringify(v)} (e.g. "10s", "1m30s"${field === 'window' ? '; longer than 0' : ''})` });
    return fallbackMs;
  }
  return ms;
}

/** Validates one merged rule; pushes its problems and returns it when it has none. */
function resolveRule(name: string, spec: Partial<AlertRuleSpec>, issues: ConfigIssue[]): AlertRule | undefined {
  const at = `alerts.${name}`;
  const before = issues.length;
  if (!NAME.test(name)) issues.push({ path: at, message: 'a rule name is letters, digits, "_", "." and "-", starting with a letter' });
  for (const f of Object.keys(spec)) if (!FIELDS.includes(f)) issues.push({ path: `${at}.${f}`, message: `unknown field (expected ${FIELDS.join(', ')})` });
  if (!SEVERITIES.includes(spec.severity as string)) issues.push({ path: `${at}.severity`, message: 'must be P0, P1 or P2' });
  if (typeof spec.summary !== 'string' || spec.summary.trim() === '') issues.push({ path: `${at}.summary`, message: 'must be a non-empty sentence' });
  if (spec.phases !== undefined && (!Array.isArray(spec.phases) || spec.phases.length === 0 || !spec.phases.every((p) => typeof p === 'string' && p !== ''))) {
    issues.push({ path: `${at}.phases`, message: 'must be a non-empty list of phase (stage) names' });
  }
  if (spec.minSamples !== undefined && !(Number.isInteger(spec.minSamples) && spec.minSamples >= 1)) issues.push({ path: `${at}.minSamples`, message: 'must be a whole number of at least 1' });
  const windowMs = durationField(spec, 'window', at, 10_000, issues);
  const forMs = durationField(spec, 'for', at, 0, issues);
  const warmupMs = durationField(spec, 'warmup', at, 0, issues);
  let threshold: ParsedThreshold | undefined;
  if (typeof spec.metric !== 'string' || typeof spec.expr !== 'string') {
    issues.push({ path: `${at}.${typeof spec.metric !== 'string' ? 'metric' : 'expr'}`, message: 'must be a string (metric: a key such as "http_req_failed"; expr: a condition such as "rate>0.05")' });
  } else if (/[{,]\s*phase\s*:/.test(spec.metric)) {
    issues.push({ path: `${at}.metric`, message: 'takes no phase tag; use the rule\'s "phases" list' });
  } else {
    try {
      threshold = parseThresholds({ [spec.metric]: [spec.expr] })[0];
    } catch (err) {
      for (const i of (err as ConfigError).issues ?? []) issues.push({ path: `${at}.${i.message.includes(spec.expr) ? 'expr' : 'metric'}`, message: i.message });
    }
  }
  if (issues.length > before || !threshold) return undefined;
  const client = metricInfo(threshold.metric)?.side === 'client';
  return {
    name, severity: spec.severity as AlertRule['severity'], summary: spec.summary as string, threshold, windowMs, forMs, warmupMs,
    ...(spec.phases ? { phases: spec.phases } : {}), minSamples: spec.minSamples ?? (client ? 10 : 1), spec: spec as AlertRuleSpec,
  };
}

/** The rules a run is evaluated with: the defaults and the scenario's overrides, validated (one ConfigError listing every problem). */
export function resolveAlertRules(overrides?: AlertOverrides, context = 'invalid alert rules'): AlertRule[] {
  if (overrides !== undefined && (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))) {
    throw new ConfigError([{ path: 'alerts', message: 'must be an object of rule names to rules (or false to turn a default rule off)' }], context);
  }
  const issues: ConfigIssue[] = [];
  const rules: AlertRule[] = [];
  const shaped: AlertOverrides = {};
  for (const [name, o] of Object.entries(overrides ?? {})) {
    if (o === false || (typeof o === 'object' && o !== null && !Array.isArray(o))) shaped[name] = o;
    else issues.push({ path: `alerts.${name}`, message: 'must be a rule { severity, metric, expr, summary, ... }, fields replacing a default rule\'s, or false' });
  }
  for (const [name, spec] of Object.entries(mergeAlertRules(shaped))) {
    const rule = resolveRule(name, spec, issues);
    if (rule) rules.push(rule);
  }
  if (issues.length) throw new ConfigError(issues, context);
  return rules;
}
