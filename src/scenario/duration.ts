// k6 duration strings ('30s', '2m', '1h30m', '500ms', '1.5s') to milliseconds and back.

import { ConfigError } from '../errors.ts';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const WHOLE = /^(?:\d+(?:\.\d+)?|\.\d+)(?:ns|us|µs|ms|s|m|h|d)(?:(?:\d+(?:\.\d+)?|\.\d+)(?:ns|us|µs|ms|s|m|h|d))*$/;
const PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/g;

/** Example durations, quoted in error messages. */
export const DURATION_EXAMPLES = "'30s', '2m', '1h30m', '500ms', '1.5s'";

/** True when `s` is a k6 duration string ('0' counts, as in k6). */
export function isDuration(s: unknown): s is string {
  return typeof s === 'string' && (s === '0' || WHOLE.test(s));
}

/** Parses a k6 duration string into milliseconds; throws ConfigError naming `field` on bad input. */
export function parseDurationMs(s: string, field = ''): number {
  if (!isDuration(s)) {
    const shown = typeof s === 'string' ? `"${s}"` : String(s);
    throw new ConfigError(
      [{ path: field, message: `invalid duration ${shown} (expected a duration like ${DURATION_EXAMPLES})` }],
      'invalid duration',
    );
  }
  if (s === '0') return 0;
  let ms = 0;
  for (const m of s.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  // Keep sub-millisecond values but drop floating noise (1.1s -> 1100, not 1100.0000000000002).
  return Math.round(ms * 1e6) / 1e6;
}

const BARE_SECONDS = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Parses a command-line duration flag: a k6 duration string, or a bare number of seconds ('90' is 90 s).
 * Throws ConfigError naming `flag` on bad input, or on 0 when `positive`.
 */
export function parseCliDurationMs(text: string, flag: string, opts: { positive?: boolean } = {}): number {
  const ms = BARE_SECONDS.test(text) ? Math.round(Number(text) * 1e9) / 1e6 : parseCliK6(text, flag);
  if (opts.positive && !(ms > 0)) throw new ConfigError([{ path: flag, message: `must be longer than 0 (got "${text}")` }], 'invalid duration');
  return ms;
}

/** parseDurationMs with the CLI's wording: a bare number of seconds is also accepted. */
function parseCliK6(text: string, flag: string): number {
  if (isDuration(text)) return parseDurationMs(text, flag);
  throw new ConfigError(
    [{ path: flag, message: `invalid duration "${text}" (expected a duration like ${DURATION_EXAMPLES}, or a number of seconds)` }],
    'invalid duration',
  );
}

/** Formats milliseconds as a k6 duration string: 5400000 -> '1h30m', 1500 -> '1.5s', 250 -> '250ms'. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot format duration ${ms} ms`);
  if (ms === 0) return '0s';
  if (ms < 1000) return `${trim(ms)}ms`;
  let rest = ms;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  let out = '';
  if (h) out += `${h}h`;
  if (m) out += `${m}m`;
  if (s) out += `${trim(s)}s`;
  return out;
}

/** Up to 6 decimals, without trailing zeros. */
function trim(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}
