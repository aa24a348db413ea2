import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFeeders } from '../../src/scenario/feeders.ts';
import { ConfigError } from '../../src/errors.ts';

const root = join(import.meta.dirname, '..', '..');
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perfgate-feeders-'));
  await mkdir(join(dir, 'fixtures'));
  await writeFile(join(dir, 'fixtures', 'users.csv'), 'id,name\n1,ann\n2,bob\n\n3,cy\n');
  await writeFile(join(dir, 'fixtures', 'items.json'), JSON.stringify([{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }]));
  await writeFile(join(dir, 'fixtures', 'empty.csv'), 'id,name\n');
  await writeFile(join(dir, 'fixtures', 'blank.csv'), '');
  await writeFile(join(dir, 'fixtures', 'object.json'), '{"a":1}');
  await writeFile(join(dir, 'fixtures', 'broken.json'), '[{"a":');
  await writeFile(join(dir, 'fixtures', 'holes.csv'), 'id,name\n1,ann\n2,\n');
  await writeFile(join(tmpdir(), 'perfgate-outside.csv'), 'x\n1\n');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(join(tmpdir(), 'perfgate-outside.csv'), { force: true });
});

/** Issues of a ConfigError thrown by fn, as `path: message`. */
async function issues(fn: () => unknown): Promise<string[]> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

test('a CSV column gives its values and a JSON file without a column gives whole rows', async () => {
  const f = await loadFeeders(
    { user: { file: 'fixtures/users.csv', column: 'name', pick: 'sequential' }, item: { file: 'fixtures/items.json', pick: 'sequential' } },
    dir,
  );
  assert.deepEqual(f.names, ['user', 'item']);
  assert.deepEqual(f.rowCounts, { user: 3, item: 2 });
  assert.deepEqual(f.next(1, 0), { user: 'ann', item: { sku: 'a', qty: 1 } });
});

test('a CSV row without a column is the whole row, values as strings', async () => {
  const f = await loadFeeders({ user: { file: 'fixtures/users.csv', pick: 'sequential' } }, dir);
  assert.deepEqual(f.next(1, 0), { user: { id: '1', name: 'ann' } });
});

test('sequential picks share one cursor across VUs and wrap around', async () => {
  const f = await loadFeeders({ user: { file: 'fixtures/users.csv', column: 'name', pick: 'sequential' } }, dir);
  const seen = [f.next(1, 0), f.next(2, 0), f.next(1, 1), f.next(3, 0), f.next(2, 1)].map((v) => v.user);
  assert.deepEqual(seen, ['ann', 'bob', 'cy', 'ann', 'bob']);
});

test('unique picks give VU n row n, whatever the iteration', async () => {
  const f = await loadFeeders({ user: { file: 'fixtures/users.csv', column: 'name', pick: 'unique' } }, dir);
  const table: [number, number, string][] = [
    [1, 0, 'ann'],
    [2, 0, 'bob'],
    [3, 5, 'cy'],
    [1, 9, 'ann'],
  ];
  for (const [vu, it, name] of table) assert.equal(f.next(vu, it).user, name);
  f.requireRows(3);
});

test('unique picks with fewer rows than VUs are refused up front, naming the feeder', async () => {
  const f = await loadFeeders({ user: { file: 'fixtures/users.csv', column: 'name', pick: 'unique' } }, dir);
  assert.deepEqual(await issues(() => f.requireRows(4)), [
    'data.user.pick: "unique" needs a row per VU: "fixtures/users.csv" has 3 rows for up to 4 VUs',
  ]);
  assert.deepEqual(await issues(() => f.next(4, 0)), ['data.user.pick: VU 4 has no unique row: "fixtures/users.csv" has 3 rows']);
});

test('random picks are deterministic per seed, VU and iteration, and cover the rows', async () => {
  const spec = { t: { file: 'fixtures/users.csv', column: 'id', pick: 'random' as const } };
  const a = await loadFeeders(spec, dir, { seed: 42 });
  const b = await loadFeeders(spec, dir, { seed: 42 });
  const c = await loadFeeders(spec, dir, { seed: 43 });
  const draw = (f: typeof a) => Array.from({ length: 300 }, (_, i) => f.next((i % 10) + 1, Math.floor(i / 10)).t);
  const da = draw(a);
  // Order of calls does not matter: the pick is a function of (seed, VU, iteration).
  assert.deepEqual(b.next(3, 3), { t: da[32] });
  assert.deepEqual(draw(b), da);
  assert.notDeepEqual(draw(c), da);
  const counts = new Map<unknown, number>();
  for (const v of da) counts.set(v, (counts.get(v) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort(), ['1', '2', '3']);
  for (const n of counts.values()) assert.ok(n > 60 && n < 140, `roughly uniform: ${[...counts.values()]}`);
});

const badFeeders: [string, Record<string, { file: string; column?: string }>, string[]][] = [
  ['an empty CSV', { e: { file: 'fixtures/empty.csv' } }, ['data.e.file: "fixtures/empty.csv" has no rows']],
  ['a blank file', { e: { file: 'fixtures/blank.csv' } }, ['data.e.file: "fixtures/blank.csv" has no rows']],
  ['a missing column', { u: { file: 'fixtures/users.csv', column: 'email' } }, ['data.u.column: column "email" is not in "fixtures/users.csv" (columns: id, name)']],
  ['a column with an empty cell', { u: { file: 'fixtures/holes.csv', column: 'name' } }, ['data.u.column: row 2 of "fixtures/holes.csv" has no value for column "name"']],
  ['a JSON object instead of an array', { o: { file: 'fixtures/object.json' } }, ['data.o.file: "fixtures/object.json" must hold a JSON array of rows']],
];
for (const [name, data, expected] of badFeeders) {
  test(`loading ${name} is a ConfigError naming the field`, async () => {
    assert.deepEqual(await issues(() => loadFeeders(data, dir)), expected);
  });
}

test('a missing file is a ConfigError naming the path it resolved to', async () => {
  assert.deepEqual(await issues(() => loadFeeders({ m: { file: 'fixtures/nope.csv' } }, dir)), [
    `data.m.file: file "fixtures/nope.csv" does not exist (resolved to ${join(dir, 'fixtures', 'nope.csv')})`,
  ]);
});

test('a path above the base folder and an absolute path are read as they resolve', async () => {
  const up = await loadFeeders({ x: { file: '../perfgate-outside.csv', column: 'x' } }, dir);
  assert.deepEqual(up.next(1, 0), { x: '1' });
  const absolute = await loadFeeders({ x: { file: join(tmpdir(), 'perfgate-outside.csv'), column: 'x' } }, join(dir, 'fixtures'));
  assert.deepEqual(absolute.next(1, 0), { x: '1' });
});

test('broken JSON and several bad feeders are all reported at once', async () => {
  const found = await issues(() =>
    loadFeeders({ a: { file: 'fixtures/broken.json' }, b: { file: 'fixtures/empty.csv' }, c: { file: 'fixtures/users.csv', column: 'name' } }, dir),
  );
  assert.equal(found.length, 2);
  assert.match(found[0]!, /^data\.a\.file: "fixtures\/broken\.json" is not valid JSON/);
  assert.equal(found[1], 'data.b.file: "fixtures/empty.csv" has no rows');
});

test('fixtures/tickers.csv loads as a ticker feeder of unique tickers', async () => {
  const f = await loadFeeders({ ticker: { file: 'fixtures/tickers.csv', column: 'ticker', pick: 'unique' } }, root);
  const n = f.rowCounts.ticker!;
  assert.ok(n >= 100, `${n} tickers`);
  const all = Array.from({ length: n }, (_, i) => f.next(i + 1, 0).ticker as string);
  assert.equal(new Set(all).size, n);
  assert.ok(all.every((t) => /^[A-Z]{3,4}$/.test(t)));
});

const targetMain = join(root, 'src', 'target', 'main.ts');
test(
  "fixtures/tickers.csv matches the reference target's small seed",
  { skip: existsSync(targetMain) ? false : 'the reference target is not in this tree' },
  async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', targetMain, 'tickers', '--size', 'small'], {
      cwd: root,
      timeout: 60_000,
    });
    const csv = await readFile(join(root, 'fixtures', 'tickers.csv'), 'utf8');
    assert.equal(csv, `ticker\n${stdout}`);
  },
);
