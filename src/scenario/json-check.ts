// jsonPath checks that compare: the value at a JSON path exists, equals a value, is one of a list, is a number below
// or above a limit, is a string matching a regular expression, or has a length (of a string or a list) that does.
// Compiled once into a predicate; every comparison given must hold. Pure.

import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../errors.ts';
import { compileJsonPath } from './json-path.ts';
import type { JsonCheck, NumberBounds } from './types.ts';

/** A compiled jsonPath check: its name (the `check` tag), and whether a parsed JSON body passes it. */
export interface CompiledJsonCheck {
  name: string;
  test: (json: unknown) => boolean;
}

/** The comparisons a check may make, as the schema lists them (`path` and `name` aside). */
export const JSON_CHECK_COMPARISONS = ['equals', 'in', 'lt', 'gt', 'lte', 'gte', 'matches', 'length'] as const;

/** A check as an object: a bare path string is the existence check. */
export function jsonCheckOf(check: string | JsonCheck): JsonCheck {
  return typeof check === 'string' ? { path: check } : check;
}

/** Compiles a check; `defaultName` names it when it has no `name`. Throws ConfigError naming `field` on a bad path or regex. */
export function compileJsonCheck(check: string | JsonCheck, defaultName: string, field: string): CompiledJsonCheck {
  const c = jsonCheckOf(check);
  const get = compileJsonPath(c.path, `${field}.path`);
  const tests: Array<(v: unknown) => boolean> = [(v) => v !== undefined];
  if (c.equals !== undefined) tests.push((v) => isDeepStrictEqual(v, c.equals));
  if (c.in !== undefined) tests.push((v) => c.in!.some((x) => isDeepStrictEqual(v, x)));
  const number = numberTest(c);
  if (number) tests.push((v) => typeof v === 'number' && number(v));
  if (c.matches !== undefined) {
    const re = compileRegex(c.matches, `${field}.matches`);
    tests.push((v) => typeof v === 'string' && re.test(v));
  }
  if (c.length !== undefined) {
    const want = typeof c.length === 'number' ? { equals: c.length } : c.length;
    const bounds = numberTest(want);
    const len = (n: number) => (want.equals === undefined || n === want.equals) && (!bounds || bounds(n));
    tests.push((v) => (typeof v === 'string' || Array.isArray(v)) && len(v.length));
  }
  return {
    name: c.name ?? defaultName,
    test: (json) => {
      const v = get(json);
      for (const t of tests) if (!t(v)) return false;
      return true;
    },
  };
}

/** The numeric comparisons of `c` as one predicate, or undefined when it has none. */
function numberTest(c: NumberBounds): ((n: number) => boolean) | undefined {
  const parts: Array<(n: number) => boolean> = [];
  if (c.lt !== undefined) parts.push((n) => n < c.lt!);
  if (c.gt !== undefined) parts.push((n) => n > c.gt!);
  if (c.lte !== undefined) parts.push((n) => n <= c.lte!);
  if (c.gte !== undefined) parts.push((n) => n >= c.gte!);
  return parts.length === 0 ? undefined : (n) => parts.every((p) => p(n));
}

/** A regular expression from a check, or a ConfigError naming the field. */
export function compileRegex(source: string, field: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new ConfigError([{ path: field, message: `invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}` }], 'invalid regular expression');
  }
}
