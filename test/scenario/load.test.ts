import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, resolveDefinition, knownScenarios, listScenarios, BUNDLED_ROOT } from '../../src/scenario/load.ts';
import { ConfigError } from '../../src/errors.ts';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join('fixtures', 'scenarios');
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perfgate-load-'));
  await mkdir(join(dir, 'scenarios', 'drills'), { recursive: true });
  const scenario = (name: string) =>
    `export default { name: '${name}', target: { baseUrl: 'http://127.0.0.1:1' }, load: { executor: 'constant-vus', vus: 10, duration: '1m' }, journeys: [{ name: 'j', steps: [{ name: 's', path: '/' }] }] };\n`;
  await writeFile(join(dir, 'scenarios', 'baseline.ts'), scenario('baseline'));
  await writeFile(join(dir, 'scenarios', 'slos.ts'), 'export const slos = {};\n');
  await writeFile(join(dir, 'scenarios', 'drills', 'drill-kit.ts'), 'export function phases() { return []; }\nexport default { helper: true };\n');
  await writeFile(join(dir, 'scenarios', 'drills', 'redis-outage.ts'), scenario('redis-outage'));
  await writeFile(join(dir, 'scenarios', 'drills', 'baseline.ts'), scenario('shadowed'));
  await writeFile(join(dir, 'scenarios', 'typed.mts'), scenario('typed-mts'));
  await writeFile(join(dir, 'scenarios', 'common.cts'), scenario('common-cts'));
  await writeFile(join(dir, 'scenarios', 'plain.cjs'), scenario('x').replace('export default', 'module.exports ='));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Issues of the ConfigError a promise rejects with, as `path: message`. */
async function problems(p: Promise<unknown>): Promise<{ lines: string[]; message: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return { lines: err.issues.map((i) => `${i.path}: ${i.message}`), message: err.message };
  }
  assert.fail('expected a ConfigError');
}

test('a .json scenario file loads, validated, with its planned duration and peaks', async () => {
  const r = await loadScenario(join(fixtures, 'hello.json'), { cwd: root });
  assert.equal(r.definition.name, 'hello');
  assert.equal(r.profile, 'full');
  assert.equal(r.sourcePath, join(root, fixtures, 'hello.json'));
  assert.equal(r.baseDir, join(root, fixtures), 'data files resolve from the scenario file');
  assert.deepEqual(r.dataDirs, [join(root, fixtures), join(root, 'fixtures')], 'then from the folder holding scenarios/');
  assert.equal(r.plannedDurationMs, 30_000);
  assert.equal(r.peakVUs, 400);
  assert.equal(r.peakRatePerS, 100);
  assert.deepEqual(r.phases, []);
  assert.deepEqual(r.warnings, []);
});

test('a .ts scenario is imported, its default export validated and the profile applied', async () => {
  const r = await loadScenario(join(fixtures, 'browse.ts'), { cwd: root, profile: 'smoke', env: { CLIENT_ID: 'x' } });
  assert.equal(r.original.name, 'browse');
  assert.equal(r.profile, 'smoke');
  // smoke: its own time 0.05 and load 0.1 -> 3s, 9s, 3s at 5 VUs
  assert.equal(r.plannedDurationMs, 15_000);
  assert.equal(r.peakVUs, 5);
  assert.equal(r.peakRatePerS, undefined);
  assert.deepEqual(r.phases, [
    { name: 'ramp-up', startMs: 0, endMs: 3000 },
    { name: 'steady', startMs: 3000, endMs: 12_000 },
    { name: 'ramp-down', startMs: 12_000, endMs: 15_000 },
  ]);
  assert.ok(r.original.load!.executor === 'ramping-vus' && r.original.load!.stages[0]!.duration === '1m', 'original unscaled');
  assert.deepEqual(r.dataFiles, { ticker: join(root, 'fixtures', 'tickers.csv') }, '../tickers.csv from fixtures/scenarios/');
  assert.deepEqual(r.warnings, []);
  const full = await loadScenario(join(fixtures, 'browse.ts'), { cwd: root, env: { CLIENT_ID: 'x' } });
  assert.equal(full.plannedDurationMs, 300_000);
});

test('an unset environment variable in a template is a ConfigError naming the setup step', async () => {
  const { lines } = await problems(loadScenario(join(fixtures, 'browse.ts'), { cwd: root, env: {} }));
  assert.deepEqual(lines, ['setup.steps[0].body.clientId: setup step "token": environment variable CLIENT_ID is not set ({{env.CLIENT_ID}})']);
});

test('a bare name is looked up in scenarios/, then scenarios/drills/', async () => {
  assert.equal((await loadScenario('baseline', { cwd: dir })).definition.name, 'baseline');
  assert.equal((await loadScenario('redis-outage', { cwd: dir, profile: 'ci' })).definition.name, 'redis-outage');
  const ci = await loadScenario('baseline', { cwd: dir, profile: 'ci' });
  assert.equal(ci.plannedDurationMs, 6000);
  assert.equal(ci.peakVUs, 2);
});

test('the known scenarios are the modules whose default export is a scenario', async () => {
  assert.deepEqual(await knownScenarios(dir), ['baseline', 'common', 'plain', 'redis-outage', 'typed'], 'slos.ts and the helper module are left out');
});

test('a bare name the project lacks is a bundled scenario; the project comes first and the list marks each origin', async () => {
  const normal = await loadScenario('normal', { cwd: dir });
  assert.equal(normal.sourcePath, join(BUNDLED_ROOT, 'scenarios', 'normal.ts'));
  assert.equal((await loadScenario('upstream-outage', { cwd: dir })).definition.name, 'upstream-outage');
  assert.equal((await loadScenario('baseline', { cwd: dir })).sourcePath, join(dir, 'scenarios', 'baseline.ts'));
  const list = await listScenarios(dir);
  const origins = list.filter((s) => s.name === 'baseline').map((s) => s.origin);
  assert.deepEqual(origins, ['project', 'bundled'], 'the shadowed bundled baseline is listed after the project one');
  assert.ok(list.some((s) => s.name === 'worker-crash' && s.origin === 'bundled'));
  assert.ok(list.every((s) => s.name !== 'slos' && s.name !== 'journeys'));
});

const kinds: [string, string][] = [['typed.mts', 'typed-mts'], ['common.cts', 'common-cts'], ['plain.cjs', 'x']];
for (const [file, name] of kinds) {
  test(`a ${file.split('.')[1]} scenario file loads by path and by name`, async () => {
    assert.equal((await loadScenario(join('scenarios', file), { cwd: dir })).definition.name, name);
    assert.equal((await loadScenario(file.split('.')[0]!, { cwd: dir })).definition.name, name);
  });
}

const badFiles: [string, string, string | RegExp][] = [
  ['an unknown name', 'nope', /^scenario: no scenario named "nope" \(looked for scenarios\/nope\.ts and scenarios\/drills\/nope\.ts\); known scenarios: auth-flood, baseline, cache-outage, common, .*redis-outage, .*worker-crash$/],
  ['a missing file', 'scenarios/missing.ts', 'scenario: file "scenarios/missing.ts" does not exist'],
];
for (const [name, ref, expected] of badFiles) {
  test(`loading ${name} is a ConfigError naming it`, async () => {
    const { lines } = await problems(loadScenario(ref, { cwd: dir }));
    assert.equal(lines.length, 1);
    if (typeof expected === 'string') assert.equal(lines[0], expected);
    else assert.match(lines[0]!, expected);
  });
}

const badFixtures: [string, string, RegExp][] = [
  ['a syntax error', 'syntax-error.ts', /^scenario: "fixtures\/scenarios\/syntax-error\.ts" failed to load: /],
  ['a missing default export', 'no-default.ts', /^scenario: "fixtures\/scenarios\/no-default\.ts" has no default export \(write: export default defineScenario\(\{\.\.\.\}\)\)$/],
  ['broken JSON', 'broken.json', /^scenario: "fixtures\/scenarios\/broken\.json" is not valid JSON: /],
];
for (const [name, file, expected] of badFixtures) {
  test(`a scenario file with ${name} is a ConfigError naming the file`, async () => {
    const { lines } = await problems(loadScenario(join(fixtures, file), { cwd: root }));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, expected);
  });
}

test('an invalid .json scenario lists its problems and names the file', async () => {
  const { lines, message } = await problems(loadScenario(join(fixtures, 'invalid.json'), { cwd: root }));
  assert.deepEqual(lines, [
    'load.executor: unknown executor "constant-rps" (expected one of constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate, shared-iterations, per-vu-iterations)',
    'journeys[0].steps[0].path: required',
  ]);
  assert.ok(message.startsWith('invalid scenario fixtures/scenarios/invalid.json (2 problems):'), message);
});

test('an invalid .ts scenario lists its problems and names the file', async () => {
  const { lines, message } = await problems(loadScenario(join(fixtures, 'invalid.ts'), { cwd: root }));
  assert.deepEqual(lines, [
    `load.stages[0].duration: invalid duration "10 s" (expected a duration like '30s', '2m', '1h30m', '500ms', '1.5s')`,
    'journeys[0].steps[0].expect[0]: must be at least 100, got 99',
  ]);
  assert.ok(message.startsWith('invalid scenario fixtures/scenarios/invalid.ts (2 problems):'), message);
});

test('a definition in memory resolves the same way, without a source path', async () => {
  const r = await resolveDefinition(
    {
      name: 'mem',
      target: { baseUrl: 'http://127.0.0.1:1' },
      load: { executor: 'ramping-arrival-rate', timeUnit: '1m', preAllocatedVUs: 3, stages: [{ duration: '10s', target: 600 }] },
      journeys: [{ name: 'j', steps: [{ name: 's', path: '/' }] }],
    },
    { cwd: root },
  );
  assert.equal(r.sourcePath, '');
  assert.equal(r.peakRatePerS, 10);
  assert.equal(r.peakVUs, 3);
  assert.equal(r.plannedDurationMs, 10_000);
});

test('a phase the profile scales too short for its threshold fails validation at that profile only', async () => {
  const file = join(fixtures, 'short-recovery.json');
  assert.equal((await loadScenario(file, { cwd: root })).plannedDurationMs, 120_000);
  const { lines } = await problems(loadScenario(file, { cwd: root, profile: 'smoke' }));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^thresholds\["http_req_failed\{phase:recovery\}"\]: at the smoke profile, phase "recovery" lasts 1\.2s/);
});
