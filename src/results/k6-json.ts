// k6's JSON output (`k6 run --out json=FILE`), one line at a time (pure). Each line is a `Metric` record (a metric's
// declaration: type, thresholds) or a `Point` record (one sample: metric, time, value, tags, and in newer versions
// `metadata`). The field order has changed between versions (`type, data, metric` before, `metric, type, data` now)
// and fields have been added; the line is parsed as JSON and any field perfgate does not read is ignored.

import type { ErrorClass } from './format.ts';
import { classifyStatus } from '../engine/error-class.ts';

/** One k6 sample. */
export interface K6Point {
  metric: string;
  /** Epoch ms, with the sub-ms part of k6's nanosecond timestamp. */
  timeMs: number;
  value: number;
  tags: Record<string, string>;
}

/** One parsed line: a point, a metric declaration, or a record of a kind perfgate does not read. */
export type K6Line =
  | { kind: 'point'; point: K6Point }
  | { kind: 'metric'; name: string; metricType?: string; thresholds: string[] }
  | { kind: 'other' };

/** A line that is not a k6 JSON record; the message says which field is wrong. */
export class K6LineError extends Error {
  override name = 'K6LineError';
}

let lastKey = '';
let lastWhole = NaN;
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time (k6 writes nanoseconds and a zone offset) as epoch ms with its fraction, or null. */
export function parseRfc3339Ms(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const zone = m[4] === 'z' || m[4] === 'Z' ? 'Z' : m[4]!;
  const key = `${m[1]}T${m[2]}${zone}`;
  // Points come in time order, so most share the previous point's whole second.
  if (key !== lastKey) {
    lastKey = key;
    lastWhole = Date.parse(key);
  }
  const whole = lastWhole;
  if (Number.isNaN(whole)) return null;
  return whole + (m[3] ? Number(`0${m[3]}`) * 1000 : 0);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Tags as strings; k6 writes `null` for no tags. Non-string values (never written by k6) are stringified. */
function readTags(v: unknown): Record<string, string> | string {
  if (v === null || v === undefined) return {};
  if (!isObject(v)) return 'data.tags must be an object or null';
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = typeof x === 'string' ? x : JSON.stringify(x);
  return out;
}

/** Parses one non-empty line of k6's JSON output; throws K6LineError naming what is wrong. */
export function parseK6Line(line: string): K6Line {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch (err) {
    throw new K6LineError(`not JSON (${(err as Error).message})`);
  }
  if (!isObject(rec)) throw new K6LineError('not a JSON object');
  if (rec.type === 'Metric') return parseMetric(rec);
  if (rec.type !== 'Point') {
    if (typeof rec.type !== 'string') throw new K6LineError('has no "type" (expected "Metric" or "Point")');
    return { kind: 'other' };
  }
  const metric = rec.metric;
  if (typeof metric !== 'string' || metric === '') throw new K6LineError('a Point without a "metric" name');
  const data = rec.data;
  if (!isObject(data)) throw new K6LineError(`Point of ${metric}: "data" must be an object`);
  const timeMs = typeof data.time === 'string' ? parseRfc3339Ms(data.time) : null;
  if (timeMs === null) throw new K6LineError(`Point of ${metric}: data.time ${JSON.stringify(data.time)} is not an RFC 3339 time`);
  if (typeof data.value !== 'number' || !Number.isFinite(data.value)) throw new K6LineError(`Point of ${metric}: data.value ${JSON.stringify(data.value)} is not a number`);
  const tags = readTags(data.tags);
  if (typeof tags === 'string') throw new K6LineError(`Point of ${metric}: ${tags}`);
  return { kind: 'point', point: { metric, timeMs, value: data.value, tags } };
}

function parseMetric(rec: Record<string, unknown>): K6Line {
  const data = isObject(rec.data) ? rec.data : {};
  const name = typeof rec.metric === 'string' ? rec.metric : typeof data.name === 'string' ? data.name : undefined;
  if (!name) throw new K6LineError('a Metric without a name');
  // thresholds: a list of expressions (k6 writes their sources); anything else is not read.
  const thresholds = Array.isArray(data.thresholds) ? data.thresholds.filter((t): t is string => typeof t === 'string') : [];
  return { kind: 'metric', name, metricType: typeof data.type === 'string' ? data.type : undefined, thresholds };
}

/** k6's `error_code` values (lib/netext/httpext/error_codes.go) as perfgate's error classes. */
function classOfK6Code(code: number): ErrorClass {
  if (code === 1050 || code === 1211) return 'timeout';
  if (code === 1212) return 'econnrefused';
  if (code === 1201 || code === 1220) return 'econnreset';
  if (code === 1110 || code === 1111) return 'host_not_allowed';
  if (code >= 1100 && code < 1200) return 'dns';
  if (code >= 1300 && code < 1400) return 'tls';
  if (code >= 1600 && code < 1700) return 'protocol';
  return 'other';
}

/** The error class of a failed k6 request: by its status when it got an error status, else by k6's `error_code`. */
export function classifyK6Failure(tags: Record<string, string>): ErrorClass {
  const status = Number(tags.status ?? 0);
  if (status >= 400) return classifyStatus(status);
  const code = Number(tags.error_code ?? NaN);
  if (Number.isFinite(code) && status === 0) return classOfK6Code(code);
  return 'other';
}
