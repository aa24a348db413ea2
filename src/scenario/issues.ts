// Turns zod issues into perfgate's ConfigIssues: k6-style paths (`journeys[1].steps[0].path`) and plain words.

import type { z } from 'zod';
import type { ConfigIssue } from '../errors.ts';

/** Formats a path as `a.b[0]["odd key"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      out += /^[A-Za-z_$][\w$]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** A short description of a value for messages: `"abc"`, `5`, `a list`, `an object`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return String(v);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
};

/** zod's own English messages, which are replaced by plain words; any other message was written on purpose. */
const ZOD_DEFAULT = /^(Invalid|Too (big|small)|Unrecognized|Number must)/;

/** Messages for the discriminators perfgate uses, keyed by the field name. */
const DISCRIMINATORS: Record<string, string> = { executor: 'executor', type: 'step type' };

/** The message of a too_small or too_big issue: items of an array, characters of a string, else the bound. */
function boundMessage(iss: z.core.$ZodIssue & { code: 'too_small' | 'too_big' }, input: unknown): string {
  const small = iss.code === 'too_small';
  const bound = small ? (iss as { minimum: number | bigint }).minimum : (iss as { maximum: number | bigint }).maximum;
  const inclusive = (iss as { inclusive?: boolean }).inclusive !== false;
  if (iss.origin === 'array') return small ? `must have at least ${bound} item${bound === 1 ? '' : 's'}` : `must have at most ${bound} items`;
  if (iss.origin === 'string') return small && Number(bound) === 1 ? 'must not be empty' : `must be ${small ? 'at least' : 'at most'} ${bound} characters`;
  if (small) return `must be ${inclusive ? 'at least' : 'more than'} ${bound}, got ${describeValue(input)}`;
  return `must be ${inclusive ? 'at most' : 'less than'} ${bound}, got ${describeValue(input)}`;
}

/**
 * The issues of a union that matched no branch: an unknown or missing discriminator (executor, step type), or, for a
 * union of a scalar and an object (threshold items, check.status), the branch that fits the value's type.
 */
function unionIssues(iss: z.core.$ZodIssue & { code: 'invalid_union' }, input: unknown, path: PropertyKey[]): ConfigIssue[] {
  const note = (iss as { note?: string }).note;
  const disc = (iss as { discriminator?: string }).discriminator;
  if (note === 'No matching discriminator' && disc) {
    const options = ((iss as { options?: unknown[] }).options ?? []).filter((o) => typeof o === 'string');
    const value = input && typeof input === 'object' ? (input as Record<string, unknown>)[disc] : undefined;
    const expected = `expected one of ${options.join(', ')}`;
    const message = value === undefined ? `required (${expected})` : `unknown ${DISCRIMINATORS[disc] ?? disc} ${describeValue(value)} (${expected})`;
    return [{ path: formatPath(path), message }];
  }
  const branches = (iss.errors ?? []) as z.core.$ZodIssue[][];
  const fitting = branches.find((b) => b.length > 0 && !b.some((i) => i.path.length === 0 && i.code === 'invalid_type'));
  return fitting ? zodIssuesToConfigIssues(fitting, path) : [{ path: formatPath(path), message: iss.message }];
}

/** Converts zod issues (parsed with `reportInput: true`) into ConfigIssues, one per problem. */
export function zodIssuesToConfigIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const iss of issues) {
    const path = [...prefix, ...iss.path];
    const input = (iss as { input?: unknown }).input;
    const at = (message: string, p: PropertyKey[] = path) => out.push({ path: formatPath(p), message });
    if (iss.code !== 'unrecognized_keys' && iss.code !== 'invalid_union' && !ZOD_DEFAULT.test(iss.message)) {
      at(iss.message); // a message written for this field in the schema
      continue;
    }
    switch (iss.code) {
      case 'invalid_type': {
        const expected = TYPE_WORDS[iss.expected] ?? iss.expected;
        if (input === undefined) at('required');
        else if (iss.expected === 'int' && typeof input === 'number') at(`must be a whole number, got ${input}`);
        else at(`must be ${expected}, got ${describeValue(input)}`);
        break;
      }
      case 'too_small':
      case 'too_big':
        at(boundMessage(iss, input));
        break;
      case 'invalid_value':
        at(`must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(input)}`);
        break;
      case 'invalid_format':
        at(iss.format === 'url' ? `must be a valid URL, got ${describeValue(input)}` : `must be a valid ${iss.format}, got ${describeValue(input)}`);
        break;
      case 'unrecognized_keys':
        for (const key of iss.keys) {
          const known = iss.message.startsWith('known:') ? iss.message.slice(6).split(',').filter(Boolean) : [];
          const near = closestName(key, known);
          const hint = near ? ` (did you mean "${near}"?)` : known.length ? ` (known fields: ${known.join(', ')})` : '';
          at(`unknown field${hint}`, [...path, key]);
        }
        break;
      case 'invalid_union':
        out.push(...unionIssues(iss, input, path));
        break;
      case 'invalid_key': {
        const inner = zodIssuesToConfigIssues((iss as { issues?: z.core.$ZodIssue[] }).issues ?? []).map((i) => i.message);
        at(`invalid name ${describeValue(input)}${inner.length ? `: ${inner.join('; ')}` : ''}`);
        break;
      }
      default:
        at(iss.message);
    }
  }
  return out;
}

/** The known name closest to `key` (edit distance at most a quarter of its length, at least 1), for "did you mean" hints. */
export function closestName(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(key.length / 4)) + 1;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** Edit distance where swapping two neighbouring letters counts as one edit (optimal string alignment). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
