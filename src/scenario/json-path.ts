// A minimal, fast JSON path subset for captures and checks: `$.a.b[0].c`, `$['quoted key']`, `$[0]`.

import { ConfigError } from '../errors.ts';

/** A compiled JSON path: returns the value at the path, or undefined when any part is missing. */
export type JsonPathFn = (obj: unknown) => unknown;

type Segment = string | number;

/** Parses a path into its segments; throws ConfigError naming `field` on bad syntax. */
export function parseJsonPath(path: string, field = ''): Segment[] {
  const fail = (why: string): never => {
    throw new ConfigError([{ path: field, message: `invalid JSON path "${path}": ${why}` }], 'invalid JSON path');
  };
  if (typeof path !== 'string' || path[0] !== '$') return fail("it must start with '$'");
  const out: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const m = /^[A-Za-z_$][\w$-]*/.exec(path.slice(i + 1));
      if (!m) return fail(`expected a key after '.' at position ${i}`);
      out.push(m[0]);
      i += 1 + m[0].length;
    } else if (c === '[') {
      const rest = path.slice(i);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[(['"])((?:\\.|(?!\1).)*)\1\]/.exec(rest);
      if (index) {
        out.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted) {
        out.push(quoted[2]!.replace(/\\(.)/g, '$1'));
        i += quoted[0].length;
      } else return fail(`expected [index] or ['key'] at position ${i}`);
    } else return fail(`unexpected '${c}' at position ${i}`);
  }
  return out;
}

/** Compiles a JSON path once into a function; throws ConfigError naming `field` on bad syntax. */
export function compileJsonPath(path: string, field = ''): JsonPathFn {
  const segs = parseJsonPath(path, field);
  const n = segs.length;
  if (n === 0) return (obj) => obj;
  if (n === 1) {
    const a = segs[0]!;
    return (obj) => get(obj, a);
  }
  return (obj) => {
    let cur: unknown = obj;
    for (let i = 0; i < n; i++) {
      cur = get(cur, segs[i]!);
      if (cur === undefined) return undefined;
    }
    return cur;
  };
}

function get(obj: unknown, seg: Segment): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  if (typeof seg === 'number') return Array.isArray(obj) ? obj[seg] : undefined;
  if (Array.isArray(obj)) return undefined;
  return Object.prototype.hasOwnProperty.call(obj, seg) ? (obj as Record<string, unknown>)[seg] : undefined;
}
