// perfgate as a dependency of someone else's project: one `npm pack`, the tarball installed once (offline from the
// npm cache) and shared by a CommonJS and an ESM project, then scenarios of every module kind, the bundled baseline,
// the published types under strict tsc (node16 and bundler) and `perfgate init` followed by a run.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const repo = join(import.meta.dirname, '..', '..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const LIMIT_MS = 10 * 60_000;
let tmp = '';
let server: Server;
let url = '';
const project = { cjs: '', esm: '' };

/** Runs a command; resolves to its exit code and output (never rejects on a non-zero exit). */
function sh(cmd: string, args: string[], cwd: string, timeoutMs = LIMIT_MS): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 16 << 20, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** The installed perfgate command, run in a project. */
const perfgate = (cwd: string, args: string[]) => sh(process.execPath, [join(project.cjs, 'node_modules', 'perfgate', 'bin', 'perfgate.js'), ...args], cwd);

const LOAD = `load: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '1s', preAllocatedVUs: 2, maxVUs: 4 }`;
const body = (name: string) =>
  `{ name: '${name}', target: { baseUrl: 'http://127.0.0.1:1' }, ${LOAD}, journeys: [{ name: 'get', steps: [{ name: 'root', method: 'GET', path: '/' }] }], thresholds: { http_req_failed: ['rate<0.01'] } }`;
const esmTs = (name: string) => `import { defineScenario } from 'perfgate';\nexport default defineScenario(${body(name)});\n`;
const cjsJs = (name: string) => `const { defineScenario } = require('perfgate');\nmodule.exports = defineScenario(${body(name)});\n`;

/** A scenario of every module kind for a project: the .js follows the project's module type. */
function scenarioFiles(kind: 'cjs' | 'esm'): Record<string, string> {
  const json = JSON.stringify(new Function(`return ${body('kind-json')}`)());
  return {
    'kind-ts.ts': esmTs('kind-ts'),
    'kind-mts.mts': esmTs('kind-mts'),
    'kind-cts.cts': esmTs('kind-cts'),
    'kind-mjs.mjs': esmTs('kind-mjs'),
    'kind-cjs.cjs': cjsJs('kind-cjs'),
    'kind-js.js': kind === 'esm' ? esmTs('kind-js') : cjsJs('kind-js'),
    'kind-json.json': json,
  };
}

const TYPED = `import { defineScenario, mergeSlos, slos, type ScenarioDefinition } from 'perfgate';
const def: ScenarioDefinition = defineScenario({
  name: 'typed',
  target: { baseUrl: 'http://127.0.0.1:3000' },
  load: { executor: 'constant-vus', vus: 1, duration: '1s' },
  journeys: [{ name: 'get', steps: [{ name: 'root', method: 'GET', path: '/' }] }],
  thresholds: mergeSlos(slos.api, { 'http_req_duration{name:root}': ['p(95)<100'] }),
});
export default def;
`;

/**
 * The scenario loaded, ran and passed: exit 0 and a completed run (a 1 s load is not judged on loop lag, and 10 req/s
 * to a local server that answers at once drops no iteration, so nothing here may mark the run invalid).
 */
function assertRan(r: { code: number; out: string }, name: string): void {
  assert.equal(r.code, 0, `${name}: exit ${r.code}: ${r.out}`);
  assert.match(r.out, new RegExp(`running ${name} \\(full\\) against ${url}`));
  assert.match(r.out, /run completed/);
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'perfgate-package-'));
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pack = await sh('npm', ['pack', '--pack-destination', tmp, '--silent'], repo);
  assert.equal(pack.code, 0, pack.out);
  const tarball = join(tmp, pack.out.trim().split('\n').pop()!);
  project.cjs = join(tmp, 'cjs-app');
  project.esm = join(tmp, 'esm-app');
  for (const [dir, type] of [[project.cjs, undefined], [project.esm, 'module']] as const) {
    await mkdir(join(dir, 'scenarios'), { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, ...(type ? { type } : {}) }));
  }
  const install = await sh('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], project.cjs);
  assert.equal(install.code, 0, install.out);
  await symlink(join(project.cjs, 'node_modules'), join(project.esm, 'node_modules'), 'dir');
});

after(async () => {
  server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('the tarball holds what runs: no tests, benchmarks or recorded runs, and the built declarations', async () => {
  const pkg = join(project.cjs, 'node_modules', 'perfgate');
  const files = (await sh('find', ['.', '-type', 'f'], pkg)).out.split('\n');
  assert.ok(files.includes('./dist/types/src/index.d.ts'));
  assert.ok(files.includes('./scenarios/baseline.ts') && files.includes('./fixtures/tickers.csv'));
  assert.deepEqual(files.filter((f) => /^\.\/(test|fixtures\/runs|fixtures\/scenarios|scripts|\.ci)\//.test(f)), []);
});

for (const kind of ['cjs', 'esm'] as const) {
  test(`a ${kind === 'cjs' ? 'CommonJS' : 'ESM'} project runs a scenario of every module kind against a loopback server`, async () => {
    const dir = project[kind];
    for (const [file, text] of Object.entries(scenarioFiles(kind))) await writeFile(join(dir, 'scenarios', file), text);
    for (const file of Object.keys(scenarioFiles(kind))) {
      const r = await perfgate(dir, ['run', `scenarios/${file}`, '--target', url, '--no-report']);
      assertRan(r, `kind-${file.split('.')[1]}`);
    }
    assertRan(await perfgate(dir, ['run', 'kind-mts', '--target', url, '--no-report']), 'kind-mts');
  });
}

test('the published types check under strict tsc with node16 and bundler resolution, and catch a wrong field', async () => {
  await writeFile(join(project.esm, 'scenarios', 'typed.ts'), TYPED);
  await writeFile(join(project.esm, 'wrong.ts'), `import { defineScenario } from 'perfgate';\ndefineScenario({ name: 1 });\n`);
  const tsc = (mod: string, res: string, file: string) =>
    sh(process.execPath, [TSC, '--noEmit', '--strict', '--target', 'es2022', '--module', mod, '--moduleResolution', res, file], project.esm);
  const [node16, bundler, wrong] = await Promise.all([
    tsc('node16', 'node16', 'scenarios/typed.ts'),
    tsc('esnext', 'bundler', 'scenarios/typed.ts'),
    tsc('node16', 'node16', 'wrong.ts'),
  ]);
  assert.equal(node16.code, 0, node16.out);
  assert.equal(bundler.code, 0, bundler.out);
  assert.match(wrong.out, /wrong\.ts\(2,\d+\): error TS2322/);
});

test('the bundled baseline runs from the installed package at smoke with --lab, and --list marks both origins', async () => {
  const list = await perfgate(project.esm, ['run', '--list']);
  assert.equal(list.code, 0, list.out);
  assert.match(list.out, /^kind-ts\s+project\s/m);
  assert.match(list.out, /^baseline\s+bundled\s/m);
  assert.match(list.out, /^upstream-outage\s+bundled\s/m);
  const r = await perfgate(project.esm, ['run', 'baseline', '--profile', 'smoke', '--lab', '--no-report']);
  // Every shipped scenario passes at smoke on a fresh lab (test/e2e/scenarios.test.ts holds the same promise).
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /running baseline \(smoke\)/);
  assert.match(r.out, /run completed/);
});

test('perfgate init scaffolds a start without overwriting, and its example runs against --target', async () => {
  const dir = project.cjs;
  await writeFile(join(dir, '.gitignore'), 'node_modules/\n');
  const first = await perfgate(dir, ['init', '--target', url]);
  assert.equal(first.code, 0, first.out);
  assert.match(first.out, /created scenarios\/example\.ts/);
  assert.match(first.out, /created \.github\/workflows\/perf\.yml/);
  assert.equal(await readFile(join(dir, '.gitignore'), 'utf8'), 'node_modules/\nreports/\n');
  assert.match(await readFile(join(dir, 'scenarios', 'slos.ts'), 'utf8'), /slos\.api/);
  await writeFile(join(dir, 'scenarios', 'example.ts'), (await readFile(join(dir, 'scenarios', 'example.ts'), 'utf8')) + '// mine\n');
  const again = await perfgate(dir, ['init', '--target', url]);
  assert.match(again.out, /kept scenarios\/example\.ts \(exists\)/);
  assert.match(await readFile(join(dir, 'scenarios', 'example.ts'), 'utf8'), /\/\/ mine\n$/);
  assert.equal(await readFile(join(dir, '.gitignore'), 'utf8'), 'node_modules/\nreports/\n');
  const run = await perfgate(dir, ['run', 'scenarios/example.ts', '--target', url, '--profile', 'smoke', '--no-report']);
  assert.equal(run.code, 0, run.out);
  assert.match(run.out, /PASS/);
});
