// Data feeders: rows from CSV or JSON files, handed to each iteration as template variables
// (`{{name}}` is the column's value, or the whole row when no column is set: `{{name.field}}`).

import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { seededRandom } from '../engine/random.ts';
import type { DataFeeder } from './types.ts';
import { zipfSampler } from './zipf.ts';

/** Rows for every iteration, from the scenario's `data` section. */
export interface Feeders {
  /** Feeder names (the template variables they provide). */
  readonly names: string[];
  /** Row counts per feeder name. */
  readonly rowCounts: Record<string, number>;
  /** Variables for one iteration of VU `vuId` (1-based, like k6's __VU): one value per feeder. */
  next(vuId: number, iteration: number): Record<string, unknown>;
  /** Throws ConfigError when a `unique` feeder has fewer rows than VUs; call it before the load starts. */
  requireRows(maxVUs: number): void;
}

/** Options of loadFeeders. */
export interface FeederOptions {
  /** Run seed: `random` and `zipf` picks are a pure function of (seed, feeder, VU, iteration). */
  seed?: number;
}

/** One loaded feeder: its values (column values or whole rows) and how it picks. */
export interface LoadedFeeder {
  name: string;
  values: unknown[];
  pick: NonNullable<DataFeeder['pick']>;
  file: string;
}

/** Reads every feeder's file (a relative path resolves against baseDir); reports every problem at once. */
export async function loadFeeders(
  data: Record<string, DataFeeder> | undefined,
  baseDir: string,
  opts: FeederOptions = {},
): Promise<Feeders> {
  const issues: ConfigIssue[] = [];
  const loaded: LoadedFeeder[] = [];
  for (const [name, spec] of Object.entries(data ?? {})) {
    try {
      loaded.push(await loadOne(name, spec, baseDir));
    } catch (err) {
      if (err instanceof ConfigError) issues.push(...err.issues);
      else throw err;
    }
  }
  if (issues.length) throw new ConfigError(issues, 'invalid data feeders');
  return createFeeders(loaded, opts.seed ?? 1);
}

async function loadOne(name: string, spec: DataFeeder, baseDir: string): Promise<LoadedFeeder> {
  const fail = (field: string, message: string): never => {
    throw new ConfigError([{ path: `data.${name}.${field}`, message }]);
  };
  const path = resolve(baseDir, spec.file); // an absolute path stays as it is
  const where = spec.file === path ? '' : ` (resolved to ${path})`;
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail('file', code === 'ENOENT' ? `file "${spec.file}" does not exist${where}` : `cannot read "${spec.file}"${where} (${code ?? String(err)})`);
  }
  const rows = extname(path).toLowerCase() === '.json' ? parseJsonRows(text, spec.file, fail) : parseCsvRows(text, spec.file, fail);
  if (rows.length === 0) fail('file', `"${spec.file}" has no rows`);
  let values: unknown[] = rows;
  if (spec.column !== undefined) {
    const column = spec.column;
    const first = rows[0];
    const isRow = (r: unknown): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r);
    if (!isRow(first) || !(column in first)) {
      const columns = isRow(first) ? Object.keys(first).join(', ') : 'none: the rows are not objects';
      fail('column', `column "${column}" is not in "${spec.file}" (columns: ${columns})`);
    }
    const bad = rows.findIndex((r) => !isRow(r) || r[column] === undefined || r[column] === '');
    if (bad >= 0) fail('column', `row ${bad + 1} of "${spec.file}" has no value for column "${column}"`);
    values = rows.map((r) => (r as Record<string, unknown>)[column]);
  }
  return { name, values, pick: spec.pick ?? 'random', file: spec.file };
}

function parseCsvRows(text: string, file: string, fail: (f: string, m: string) => never): unknown[] {
  try {
    return parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as unknown[];
  } catch (err) {
    return fail('file', `"${file}" is not valid CSV: ${(err as Error).message}`);
  }
}

function parseJsonRows(text: string, file: string, fail: (f: string, m: string) => never): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail('file', `"${file}" is not valid JSON: ${(err as Error).message}`);
  }
  return Array.isArray(value) ? value : fail('file', `"${file}" must hold a JSON array of rows`);
}

/** The Zipf exponent of a pick (`'zipf'` is exponent 1), or undefined for the other modes. */
export function zipfExponent(pick: DataFeeder['pick']): number | undefined {
  if (pick === 'zipf') return 1;
  return typeof pick === 'object' ? pick.zipf : undefined;
}

/**
 * Builds the picker over loaded feeders (exported for tests that feed rows directly). A `zipf` feeder ranks its rows
 * in file order: the first row is the most popular.
 */
export function createFeeders(loaded: LoadedFeeder[], seed: number): Feeders {
  const cursors = loaded.map(() => 0);
  const zipf = loaded.map((f) => {
    const s = zipfExponent(f.pick);
    return s === undefined ? undefined : zipfSampler(f.values.length, s);
  });
  const rowCounts = Object.fromEntries(loaded.map((f) => [f.name, f.values.length]));
  return {
    names: loaded.map((f) => f.name),
    rowCounts,
    next(vuId, iteration) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < loaded.length; i++) {
        const f = loaded[i]!;
        const n = f.values.length;
        let index: number;
        if (f.pick === 'sequential') {
          index = cursors[i]!;
          cursors[i] = (index + 1) % n;
        } else if (f.pick === 'unique') {
          if (vuId < 1 || vuId > n) {
            throw new ConfigError([{ path: `data.${f.name}.pick`, message: `VU ${vuId} has no unique row: "${f.file}" has ${n} rows` }]);
          }
          index = vuId - 1;
        } else {
          const u = uniform(seed, i, vuId, iteration);
          const rank = zipf[i];
          index = rank ? rank(u) : Math.floor(u * n);
        }
        out[f.name] = f.values[index];
      }
      return out;
    },
    requireRows(maxVUs) {
      const issues = loaded
        .filter((f) => f.pick === 'unique' && f.values.length < maxVUs)
        .map((f) => ({
          path: `data.${f.name}.pick`,
          message: `"unique" needs a row per VU: "${f.file}" has ${f.values.length} rows for up to ${maxVUs} VUs`,
        }));
      if (issues.length) throw new ConfigError(issues, 'not enough data rows');
    },
  };
}

/**
 * A float in [0, 1) that depends only on its inputs: the harness's seeded PRNG, seeded by a 32-bit hash of them
 * (murmur3's finaliser), so a pick does not depend on the order in which VUs ask.
 */
function uniform(seed: number, feeder: number, vuId: number, iteration: number): number {
  let h = (seed | 0) ^ 0x9e3779b9;
  for (const x of [feeder, vuId, iteration]) {
    h = Math.imul(h ^ (x | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return seededRandom(h)();
}
