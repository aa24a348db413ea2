// Think time after a step: a fixed duration ('1s') or a uniform range ('1s-3s').

import { ConfigError } from '../errors.ts';
import { isDuration, parseDurationMs } from './duration.ts';

/** A think time range in milliseconds; fixed when minMs === maxMs. */
export interface ThinkRange {
  minMs: number;
  maxMs: number;
}

/** Parses '1s', '1s-3s' or '500ms-1s' into {minMs, maxMs}; throws ConfigError naming `field` on bad input. */
export function parseThink(s: string, field = ''): ThinkRange {
  const fail = (why: string): never => {
    throw new ConfigError([{ path: field, message: why }], 'invalid think time');
  };
  if (typeof s !== 'string') return fail(`invalid think time ${String(s)} (expected '1s' or a range '1s-3s')`);
  const parts = s.split('-').map((p) => p.trim());
  if (parts.length > 2 || parts.some((p) => !isDuration(p))) {
    return fail(`invalid think time "${s}" (expected a duration like '1s' or a range like '1s-3s')`);
  }
  const minMs = parseDurationMs(parts[0]!, field);
  const maxMs = parts.length === 2 ? parseDurationMs(parts[1]!, field) : minMs;
  if (maxMs < minMs) return fail(`invalid think time "${s}": the range's minimum is above its maximum`);
  return { minMs, maxMs };
}

/** Draws one think time in ms from the range, with `random()` in [0, 1) (Math.random or a seeded PRNG). */
export function drawThinkMs(range: ThinkRange, random: () => number = Math.random): number {
  return range.minMs === range.maxMs ? range.minMs : range.minMs + (range.maxMs - range.minMs) * random();
}
