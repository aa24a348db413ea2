import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDataFiles, dataDirsOf } from '../../src/scenario/data-files.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perfgate-data-files-'));
  await mkdir(join(dir, 'scenarios', 'drills'), { recursive: true });
  await mkdir(join(dir, 'fixtures'));
  await writeFile(join(dir, 'fixtures', 'ids.csv'), 'id\n1\n2\n');
  await writeFile(join(dir, 'scenarios', 'drills', 'local.csv'), 'id\n9\n');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const dirsCases: Array<[string, string, string[]]> = [
  ['a scenario anywhere: its own folder', '/srv/api/load.ts', ['/srv/api']],
  ['a scenario in scenarios/: its folder, then the project', '/proj/scenarios/baseline.ts', ['/proj/scenarios', '/proj']],
  ['a drill in scenarios/drills/: its folder, then the project', '/proj/scenarios/drills/outage.ts', ['/proj/scenarios/drills', '/proj']],
  ['the nearest scenarios/ folder wins', '/a/scenarios/b/scenarios/c.json', ['/a/scenarios/b/scenarios', '/a/scenarios/b']],
];
for (const [name, file, expected] of dirsCases) {
  test(`data folders of ${name}`, () => {
    assert.deepEqual(dataDirsOf(file), expected);
  });
}

test('a data file is found in the first folder that holds it, and an absolute path as it is', async () => {
  const dirs = dataDirsOf(join(dir, 'scenarios', 'drills', 'x.ts'));
  const found = await checkDataFiles({
    project: { file: 'fixtures/ids.csv' },
    local: { file: 'local.csv', column: 'id' },
    absolute: { file: join(dir, 'fixtures', 'ids.csv') },
  }, dirs);
  assert.deepEqual(found, {
    files: { project: join(dir, 'fixtures', 'ids.csv'), local: join(dir, 'scenarios', 'drills', 'local.csv'), absolute: join(dir, 'fixtures', 'ids.csv') },
    issues: [],
  });
});

test('a missing file names every path looked at; a bad file and too few unique rows name the file and its path', async () => {
  const dirs = dataDirsOf(join(dir, 'scenarios', 'x.ts'));
  const { issues } = await checkDataFiles({
    gone: { file: 'nope.csv' },
    column: { file: 'fixtures/ids.csv', column: 'sku' },
    few: { file: 'fixtures/ids.csv', column: 'id', pick: 'unique' },
  }, dirs, 3);
  const ids = join(dir, 'fixtures', 'ids.csv');
  assert.deepEqual(issues.map((i) => `${i.path}: ${i.message}`), [
    `data.gone.file: file "nope.csv" does not exist (looked for ${join(dir, 'scenarios', 'nope.csv')}, then ${join(dir, 'nope.csv')})`,
    `data.column.column: column "sku" is not in "fixtures/ids.csv" (${ids}) (columns: id)`,
    `data.few.pick: "unique" needs a row per VU: "fixtures/ids.csv" (${ids}) has 2 rows for up to 3 VUs`,
  ]);
});
