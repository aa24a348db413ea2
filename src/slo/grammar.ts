// k6 threshold syntax, parsed into a typed tree before the run starts. Every problem is collected and thrown at once
// as one ConfigError naming the key and the expression (exit 104).
//
//   thresholds  := { key: entry[] }
//   key         := metric [ "{" tag ( "," tag )* "}" ]
//   metric      := [A-Za-z_][A-Za-z0-9_]*                  (a name of src/metrics/catalog.ts)
//   tag         := ws name ws ":" ws value ws              (value: any text but "," and "}"; the first ":" splits)
//   entry       := expression | { threshold: expression, abortOnFail?: boolean, delayAbortEval?: duration }
//   expression  := ws aggregation ws operator ws number ws
//   aggregation := "avg" | "min" | "max" | "med" | "count" | "rate" | "value" | "p(" ws number ws ")"   (0 <= N <= 100)
//   operator    := "<" | "<=" | ">" | ">=" | "==" | "===" | "!="                           ("===" reads as "==")
//   number      := [+-]? ( digits [ "." digits? ] | "." digits ) [ ("e"|"E") [+-]? digits ]
//   duration    := a k6 duration string (src/scenario/duration.ts), e.g. "10s", "1m30s", "500ms", "0"
//
// Aggregations by metric type: trend avg/min/max/med/p(N); rate rate; counter count/rate;
// gauge value/min/max/avg/med/p(N) (over the samples of the window).

import { ConfigError, type ConfigIssue } from '../errors.ts';
import { DURATION_EXAMPLES, isDuration, parseDurationMs } from '../scenario/duration.ts';
import { CLIENT_TAGS, type Aggregation } from '../metrics/aggregate.ts';
import { METRICS, metricInfo } from '../metrics/catalog.ts';
import { closestName } from '../scenario/issues.ts';
import { parseKey } from '../metrics/metric-key.ts';
import type { MetricType, VerdictEntry } from '../results/format.ts';

/** A threshold as written: an expression, or k6's object form. */
export type ThresholdInput = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };

/** One parsed threshold: which metric and tags, which aggregation, the comparison, and when it may abort the run. */
export interface ParsedThreshold {
  /** The key as written, e.g. `http_req_duration{name:company}`. */
  key: string;
  metric: string;
  tags: Record<string, string>;
  type: MetricType;
  unit: string;
  /** The expression as written (trimmed), e.g. `p(95)<200`. */
  expression: string;
  /** Index of the expression in the key's list. */
  index: number;
  aggregation: Aggregation;
  /** The aggregation as summary.json names it: `p(95)`, `avg`, `rate`. */
  aggregationName: string;
  operator: VerdictEntry['operator'];
  limit: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

const AGGREGATIONS: Record<MetricType, readonly string[]> = {
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
  rate: ['rate'],
  counter: ['count', 'rate'],
  gauge: ['value', 'min', 'max', 'avg', 'med', 'p(N)'],
};
const OPERATORS = new Set(['<', '<=', '>', '>=', '==', '===', '!=']);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** The message for a metric not in the catalogue, with the nearest name when there is one. */
function unknownMetric(metric: string): string {
  const near = closestName(metric, Object.keys(METRICS));
  return `unknown metric "${metric}" (${near ? `did you mean "${near}"?` : "not in perfgate's metric catalogue"})`;
}

/** Checks the tags a metric can be filtered by (a request metric also by the scenarios' own `custom` tags); returns problem messages. */
function tagProblems(metric: string, tags: Record<string, string>, custom: readonly string[]): string[] {
  const problems: string[] = [];
  const builtin = Object.hasOwn(CLIENT_TAGS, metric) ? CLIENT_TAGS[metric]! : null;
  const allowed = builtin && builtin.includes('scenario') ? [...builtin, ...custom] : builtin;
  for (const [name, value] of Object.entries(tags)) {
    if (allowed && !allowed.includes(name)) {
      problems.push(`tag "${name}" cannot filter ${metric} (it takes: ${allowed.join(', ')})`);
    }
    if (name === 'expected_response' && value !== 'true' && value !== 'false') {
      problems.push(`tag expected_response must be true or false, not "${value}"`);
    }
  }
  if (tags.status !== undefined && !/^\d{3}$/.test(tags.status)) problems.push(`tag status must be an HTTP status code, not "${tags.status}"`);
  return problems;
}

/** Parses one expression; returns the parts or the problem. */
export function parseExpression(
  text: string,
  type: MetricType | undefined,
): { aggregation: Aggregation; aggregationName: string; operator: VerdictEntry['operator']; limit: number } | { problem: string } {
  const src = text.trim();
  if (!src) return { problem: 'empty expression' };
  if (/^p\s*\(/.test(src) && !/^p\s*\([^)]*\)/.test(src)) return { problem: `bad percentile in "${src}": missing ")"` };
  const agg = /^(p\s*\(([^)]*)\)|[A-Za-z_][A-Za-z0-9_]*)/.exec(src);
  if (!agg) {
    return { problem: `missing aggregation in "${src}" (expected avg, min, max, med, count, rate, value or p(N))` };
  }
  let aggregation: Aggregation;
  let aggregationName: string;
  if (agg[2] !== undefined) {
    const n = agg[2].trim();
    if (!NUMBER.test(n) || !(Number(n) >= 0 && Number(n) <= 100)) return { problem: `bad percentile "${n}" in "${src}" (p(N) takes 0 <= N <= 100)` };
    aggregation = { kind: 'p', p: Number(n) };
    aggregationName = `p(${Number(n)})`;
  } else {
    const name = agg[1];
    if (!['avg', 'min', 'max', 'med', 'count', 'rate', 'value'].includes(name)) {
      return { problem: `unknown aggregation "${name}" in "${src}" (expected avg, min, max, med, count, rate, value or p(N))` };
    }
    aggregation = { kind: name as 'avg' };
    aggregationName = name;
  }
  if (type && !AGGREGATIONS[type].includes(aggregation.kind === 'p' ? 'p(N)' : aggregation.kind)) {
    return { problem: `"${aggregationName}" does not apply to a ${type} metric (use ${AGGREGATIONS[type].join(', ')}) in "${src}"` };
  }
  const rest = src.slice(agg[0].length).trim();
  const op = /^[<>=!]+/.exec(rest);
  if (!op) return { problem: `missing operator in "${src}" (expected <, <=, >, >=, ==, !=)` };
  if (!OPERATORS.has(op[0])) return { problem: `bad operator "${op[0]}" in "${src}" (expected <, <=, >, >=, ==, !=)` };
  const num = rest.slice(op[0].length).trim();
  if (!num) return { problem: `missing number after "${op[0]}" in "${src}"` };
  if (!NUMBER.test(num) || !Number.isFinite(Number(num))) return { problem: `bad number "${num}" in "${src}"` };
  const operator = (op[0] === '===' ? '==' : op[0]) as VerdictEntry['operator'];
  return { aggregation, aggregationName, operator, limit: Number(num) };
}

/** The options of k6's object form `{ threshold, abortOnFail, delayAbortEval }`; undefined when it has no expression. */
function objectOptions(obj: Exclude<ThresholdInput, string>, at: string, issues: ConfigIssue[]): { abortOnFail: boolean; delayAbortEvalMs: number } | undefined {
  for (const field of Object.keys(obj)) {
    if (!['threshold', 'abortOnFail', 'delayAbortEval'].includes(field)) issues.push({ path: `${at}.${field}`, message: 'unknown field (expected threshold, abortOnFail, delayAbortEval)' });
  }
  if (typeof obj.threshold !== 'string') {
    issues.push({ path: `${at}.threshold`, message: 'must be an expression string' });
    return undefined;
  }
  if (obj.abortOnFail !== undefined && typeof obj.abortOnFail !== 'boolean') issues.push({ path: `${at}.abortOnFail`, message: 'must be true or false' });
  let delayAbortEvalMs = 0;
  if (obj.delayAbortEval !== undefined) {
    if (isDuration(obj.delayAbortEval)) delayAbortEvalMs = parseDurationMs(obj.delayAbortEval);
    else issues.push({ path: `${at}.delayAbortEval`, message: `bad duration ${JSON.stringify(obj.delayAbortEval)} (expected a duration like ${DURATION_EXAMPLES})` });
  }
  return { abortOnFail: obj.abortOnFail === true, delayAbortEvalMs };
}

/**
 * Parses k6-style thresholds into typed thresholds, in key order then list order; `customTags` are the tags the
 * run's scenarios set themselves (src/metrics/scenario-tags.ts), which request metrics can be filtered by too.
 * Throws one ConfigError listing every problem, each at `thresholds["<key>"][<index>]`.
 */
export function parseThresholds(thresholds: Record<string, ThresholdInput[]> | undefined, context = 'invalid thresholds', customTags: readonly string[] = []): ParsedThreshold[] {
  const issues: ConfigIssue[] = [];
  const out: ParsedThreshold[] = [];
  if (thresholds === undefined || thresholds === null) return out;
  if (typeof thresholds !== 'object' || Array.isArray(thresholds)) {
    throw new ConfigError([{ path: 'thresholds', message: 'must be an object of metric keys to lists of expressions' }], context);
  }
  for (const [key, list] of Object.entries(thresholds)) {
    const at = (i: number | null) => `thresholds[${JSON.stringify(key)}]${i === null ? '' : `[${i}]`}`;
    if (!Array.isArray(list)) {
      issues.push({ path: at(null), message: 'must be a list of expressions, e.g. ["p(95)<200"]' });
      continue;
    }
    if (list.length === 0) {
      issues.push({ path: at(null), message: 'has no expression' });
      continue;
    }
    const parsedKey = parseKey(key);
    const keyProblems = [...parsedKey.problems];
    const info = parsedKey.problems.length ? undefined : metricInfo(parsedKey.metric);
    if (!parsedKey.problems.length && !info) keyProblems.push(unknownMetric(parsedKey.metric));
    if (info) keyProblems.push(...tagProblems(parsedKey.metric, parsedKey.tags, customTags));
    for (const message of keyProblems) issues.push({ path: at(0), message });
    list.forEach((entry, index) => {
      const obj = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? entry : undefined;
      if (typeof entry !== 'string' && !obj) {
        issues.push({ path: at(index), message: 'must be an expression string or { threshold, abortOnFail, delayAbortEval }' });
        return;
      }
      const options = obj ? objectOptions(obj, at(index), issues) : { abortOnFail: false, delayAbortEvalMs: 0 };
      if (!options) return;
      const { abortOnFail, delayAbortEvalMs } = options;
      const expression = (typeof entry === 'string' ? entry : (obj?.threshold as string)).trim();
      const parsed = parseExpression(expression, info?.type);
      if ('problem' in parsed) {
        issues.push({ path: at(index), message: parsed.problem });
        return;
      }
      if (!info || keyProblems.length) return;
      out.push({
        key, metric: parsedKey.metric, tags: parsedKey.tags, type: info.type, unit: info.unit, expression, index,
        ...parsed, abortOnFail, delayAbortEvalMs,
      });
    });
  }
  if (issues.length) throw new ConfigError(issues, context);
  return out;
}

/** Whether an observed value satisfies a threshold's comparison. */
export function compare(observed: number, operator: VerdictEntry['operator'], limit: number): boolean {
  switch (operator) {
    case '<': return observed < limit;
    case '<=': return observed <= limit;
    case '>': return observed > limit;
    case '>=': return observed >= limit;
    case '==': return observed === limit;
    case '!=': return observed !== limit;
  }
}
