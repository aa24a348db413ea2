import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'bootstrap.sh');
const ALL_BINARIES = ['redis-server', 'pgbouncer', 'pgbackrest', 'chromium', 'nginx', 'wrk', 'openssl', 'prometheus', 'promtool'];

/** A machine in a folder: a copy of the project's bootstrap, fake system folders and stubs for id, apt-get and npm. */
interface FakeMachine {
  root: string;
  run(command: string): Promise<{ code: number | null; stderr: string; apt: string[]; npm: string[] }>;
}

/**
 * Builds the fake machine. `binaries` are present in its bin folder; PostgreSQL's initdb and pg_stat_statements are
 * present unless left out. The stubs: `id -u` prints `uid`; `apt-get install` creates the binaries named in
 * `aptProvides`; both apt-get and npm append their arguments to a log. Nothing on this machine is installed or
 * removed: the bootstrap looks for binaries only in PERFGATE_BIN_DIRS, and the stubs come first in PATH.
 */
function fakeMachine(o: { uid: number; binaries: string[]; initdb?: boolean | 'symlink'; pgStatStatements?: boolean; aptProvides?: string[]; nodeModules?: 'none' | 'fresh' | 'stale' }): FakeMachine {
  const root = mkdtempSync(join(tmpdir(), 'perfgate-bootstrap-'));
  const project = join(root, 'project');
  const stubs = join(root, 'stubs');
  const sysBin = join(root, 'sys', 'bin');
  const pgBin = join(root, 'sys', 'postgresql', '15', 'bin');
  const pgLib = join(root, 'sys', 'postgresql', '15', 'lib');
  for (const d of [join(project, 'scripts'), stubs, sysBin, pgBin, pgLib]) mkdirSync(d, { recursive: true });
  copyFileSync(SCRIPT, join(project, 'scripts', 'bootstrap.sh'));
  writeFileSync(join(project, 'package-lock.json'), '{}\n');
  if (o.nodeModules !== 'none') {
    mkdirSync(join(project, 'node_modules'));
    writeFileSync(join(project, 'node_modules', '.package-lock.json'), '{}\n');
    const lockS = Date.now() / 1000;
    const modulesS = o.nodeModules === 'stale' ? lockS - 3600 : lockS + 3600;
    utimesSync(join(project, 'node_modules', '.package-lock.json'), modulesS, modulesS);
  }
  const executable = (path: string, body: string) => {
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  };
  for (const b of o.binaries) executable(join(sysBin, b), 'exit 0');
  if (o.initdb !== false) executable(join(pgBin, 'initdb'), 'exit 0');
  if (o.initdb === 'symlink') symlinkSync(join(pgBin, 'initdb'), join(sysBin, 'initdb'));
  if (o.pgStatStatements !== false) writeFileSync(join(pgLib, 'pg_stat_statements.so'), '');
  executable(join(stubs, 'id'), `echo ${o.uid}`);
  const provide = (o.aptProvides ?? []).map((b) => `printf '#!/bin/sh\\n' > '${join(sysBin, b)}'; chmod +x '${join(sysBin, b)}'`).join('\n');
  executable(join(stubs, 'apt-get'), `echo "$*" >> '${join(root, 'apt.log')}'\ncase "$1" in install) ${provide || ':'} ;; esac`);
  executable(join(stubs, 'npm'), `echo "$*" >> '${join(root, 'npm.log')}'`);
  symlinkSync(process.execPath, join(stubs, 'node'));
  const log = (name: string) => (existsSync(join(root, name)) ? readFileSync(join(root, name), 'utf8').trim().split('\n') : []);
  return {
    root,
    run: (command) =>
      new Promise((resolve, reject) => {
        // With initdb as a symlink in the bin folder, the versioned PostgreSQL folder is not searched at all.
        const binDirs = o.initdb === 'symlink' ? sysBin : `${sysBin}:${pgBin}`;
        const env = { PATH: `${stubs}:/usr/bin:/bin`, PERFGATE_BIN_DIRS: binDirs, HOME: root };
        const child = spawn('/bin/bash', [join(project, 'scripts', 'bootstrap.sh'), command], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`bootstrap hung\n${stderr}`))), 30_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stderr, apt: log('apt.log'), npm: log('npm.log') });
        });
      }),
  };
}

const NPM_CI = 'ci --no-audit --no-fund --loglevel=error';

test('npm test as a user without root, with wrk and Chromium missing, prints the exact apt command and exits 1', async () => {
  const m = fakeMachine({ uid: 1000, binaries: ALL_BINARIES.filter((b) => b !== 'wrk' && b !== 'chromium'), nodeModules: 'none' });
  try {
    const r = await m.run('test');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^perfgate: missing: chromium wrk\.$/m);
    assert.match(r.stderr, /^perfgate: {3}sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium wrk$/m);
    assert.deepEqual(r.apt, [], 'apt-get is not run without root');
    assert.deepEqual(r.npm, [], 'npm ci waits for the system packages');
  } finally {
    rmSync(m.root, { recursive: true, force: true });
  }
});

test('npm start needs fewer packages than npm test: without wrk and Chromium it goes on', async () => {
  const m = fakeMachine({ uid: 1000, binaries: ALL_BINARIES.filter((b) => b !== 'wrk' && b !== 'chromium'), nodeModules: 'fresh' });
  try {
    const r = await m.run('start');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(r.npm, [], 'node_modules is newer than the lockfile');
  } finally {
    rmSync(m.root, { recursive: true, force: true });
  }
});

test('as root, the bootstrap runs apt-get update, installs exactly what is missing, then npm ci', async () => {
  const m = fakeMachine({ uid: 0, binaries: ['redis-server', 'pgbackrest', 'chromium', 'nginx', 'openssl', 'prometheus', 'promtool'], pgStatStatements: false, aptProvides: ['pgbouncer', 'wrk'], nodeModules: 'none' });
  try {
    const r = await m.run('test');
    // The stub provides pgbouncer and wrk but not pg_stat_statements, so the re-check names what is still missing.
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.apt, ['update -q', 'install -y -q --no-install-recommends postgresql-contrib pgbouncer wrk']);
    assert.match(r.stderr, /apt-get ran, but these are still not found: postgresql-contrib\.$/m);
    writeFileSync(join(m.root, 'sys', 'postgresql', '15', 'lib', 'pg_stat_statements.so'), '');
    const again = await m.run('test');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.apt, r.apt, 'nothing is missing any more');
    assert.deepEqual(again.npm, [NPM_CI], 'node_modules was missing');
  } finally {
    rmSync(m.root, { recursive: true, force: true });
  }
});

test('npm ci runs when node_modules is missing or older than the lockfile, and not when it is newer', async () => {
  for (const [nodeModules, npm] of [['none', [NPM_CI]], ['stale', [NPM_CI]], ['fresh', []]] as const) {
    const m = fakeMachine({ uid: 1000, binaries: ALL_BINARIES, nodeModules });
    try {
      const r = await m.run('bench');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.npm, npm, nodeModules);
    } finally {
      rmSync(m.root, { recursive: true, force: true });
    }
  }
});

test('a missing PostgreSQL asks for the server and its contrib package; an unknown command is a usage error', async () => {
  const m = fakeMachine({ uid: 1000, binaries: ALL_BINARIES, initdb: false, nodeModules: 'fresh' });
  try {
    const r = await m.run('start');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /sudo apt-get install -y --no-install-recommends postgresql postgresql-contrib$/m);
    const usage = await m.run('deploy');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: bash scripts\/bootstrap\.sh start\|test\|bench/);
  } finally {
    rmSync(m.root, { recursive: true, force: true });
  }
});

test('pg_stat_statements is found next to the real initdb when initdb on the search path is a symlink', async () => {
  const m = fakeMachine({ uid: 1000, binaries: ALL_BINARIES, initdb: 'symlink', nodeModules: 'fresh' });
  try {
    const r = await m.run('test');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  } finally {
    rmSync(m.root, { recursive: true, force: true });
  }
});

test('npm test asks for Prometheus when promtool is missing; npm start does not need it', async () => {
  const m = fakeMachine({ uid: 1000, binaries: ALL_BINARIES.filter((b) => b !== 'promtool'), nodeModules: 'fresh' });
  try {
    const r = await m.run('test');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^perfgate: missing: prometheus\.$/m);
    assert.match(r.stderr, /sudo apt-get install -y --no-install-recommends prometheus$/m);
    const start = await m.run('start');
    assert.equal(start.code, 0, start.stderr);
  } finally {
    rmSync(m.root, { recursive: true, force: true });
  }
});

test('npm test asks for pgBackRest (the recovery drills) when it is missing; npm start does not need it', async () => {
  const m = fakeMachine({ uid: 1000, binaries: ALL_BINARIES.filter((b) => b !== 'pgbackrest'), nodeModules: 'fresh' });
  try {
    const r = await m.run('test');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^perfgate: missing: pgbackrest\.$/m);
    const start = await m.run('start');
    assert.equal(start.code, 0, start.stderr);
  } finally {
    rmSync(m.root, { recursive: true, force: true });
  }
});
