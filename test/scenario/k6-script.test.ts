import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.ts';
import { k6Script } from '../../src/scenario/k6-script.ts';
import { ConfigError } from '../../src/errors.ts';
import { k6OperatorManifests } from '../../src/scenario/k6-operator.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const GOLDEN = join(import.meta.dirname, 'golden', 'k6');
/** Shipped scenarios that cannot be exported (sql steps); every other one must be. */
const REFUSED = ['drills/connection-storm'];
/** Every shipped scenario module (the shared helper modules aside), scenarios/ and scenarios/drills/. */
const SCENARIOS = ['', 'drills/']
  .flatMap((sub) => readdirSync(join(ROOT, 'scenarios', sub)).filter((f) => f.endsWith('.ts') && !['journeys.ts', 'slos.ts', 'drill-kit.ts'].includes(f)).map((f) => `${sub}${f.replace(/\.ts$/, '')}`))
  .filter((n) => !REFUSED.includes(n))
  .sort();

async function exported(name: string): Promise<{ script: string; notes: string[] }> {
  const def = (await loadScenario(join(ROOT, 'scenarios', `${name}.ts`), { profile: 'full', cwd: ROOT, env: {} })).definition;
  return k6Script(def, { profile: 'full' });
}

test('the k6 script of every bundled scenario matches its golden file (UPDATE_GOLDEN=1 rewrites them)', async () => {
  mkdirSync(GOLDEN, { recursive: true });
  for (const name of SCENARIOS) {
    const { script } = await exported(name);
    const file = join(GOLDEN, `${name.replace('/', '-')}.js`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, script);
    assert.ok(existsSync(file), `${name}: no golden file ${file} (UPDATE_GOLDEN=1 writes it)`);
    assert.equal(script, readFileSync(file, 'utf8'), `${name}: the script differs from ${file}`);
  }
});

test('every exported script typechecks under tsc --strict against @types/k6', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-k6-tsc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const name of SCENARIOS) writeFileSync(join(dir, `${name.replace('/', '-')}.js`), (await exported(name)).script);
  const types = join(ROOT, 'node_modules', '@types', 'k6');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { allowJs: true, checkJs: true, strict: true, noEmit: true, module: 'esnext', target: 'es2020', moduleResolution: 'bundler', lib: ['es2020'], types: [], baseUrl: '.', paths: { k6: [join(types, 'index.d.ts')], 'k6/*': [join(types, '*')] } },
    files: [join(types, 'global.d.ts')],
    include: ['*.js'],
  }));
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test('what k6 cannot express is a note in the script, and a sql step is refused naming it', async () => {
  const { script, notes } = await exported('baseline');
  assert.ok(notes.some((n) => /setup\.refreshEvery/.test(n)), notes.join('\n'));
  assert.ok(notes.some((n) => /threshold db_pool_utilization: a server-side metric/.test(n)));
  for (const n of notes) assert.ok(script.includes(`//   - ${n}`), n);
  assert.match(script, /"http_req_duration": \[\s*"p\(50\)<50"/, 'client thresholds are copied verbatim');
  await assert.rejects(exported('drills/connection-storm'), (err: unknown) => err instanceof ConfigError && /step "sector-count" is a sql step/.test(err.message));
});

test('the k6-operator manifests (ConfigMap and TestRun) match their golden file', async () => {
  const { script } = await exported('baseline');
  const yaml = k6OperatorManifests('baseline', script, { parallelism: 4, dataFiles: ['fixtures/tickers.csv', 'fixtures/sectors.csv'] });
  const file = join(GOLDEN, 'baseline-k6-operator.yaml');
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, yaml);
  assert.equal(yaml, readFileSync(file, 'utf8'));
  assert.match(yaml, /parallelism: 4/);
  assert.match(yaml, /value: json=\/results\/\$\(POD_NAME\)\.json\.gz/);
  assert.ok(yaml.includes(`    ${script.split('\n')[0]}`), 'the script is in the ConfigMap, indented');
});
