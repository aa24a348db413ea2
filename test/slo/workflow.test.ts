import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

test('the example CI workflow runs baseline at the ci profile on pull requests and always uploads the reports', async () => {
  const yml = await readFile(join(import.meta.dirname, '..', '..', '.github', 'workflows', 'perf.yml'), 'utf8');
  assert.doesNotMatch(yml, /\t/, 'YAML takes no tabs');
  assert.match(yml, /^on:\n {2}pull_request:/m);
  assert.match(yml, /uses: actions\/checkout@v4/);
  assert.match(yml, /uses: actions\/setup-node@v4\n\s+with:\n\s+node-version: 20/);
  assert.match(yml, /apt-get install -y .*postgresql redis-server pgbouncer/);
  assert.match(yml, /run: npm ci/);
  const run = yml.indexOf('run: npx perfgate run baseline --profile ci --lab');
  const upload = yml.indexOf('uses: actions/upload-artifact@v4');
  assert.ok(run > 0 && upload > run, 'the gate runs, then the upload');
  assert.match(yml.slice(run, upload), /if: always\(\)/, 'the upload runs even when the gate fails');
  assert.match(yml.slice(upload), /path: reports\//);
  assert.doesNotMatch(yml.slice(run, upload), /continue-on-error|\|\| true/, 'a breach must fail the job');
});
