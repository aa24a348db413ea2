// Guard tests run inside a fresh network namespace (`unshare -n`) whose only interface is loopback: a guard that
// fails open then meets ENETUNREACH, and no packet can leave the machine. A test file calls `insideFreshNetns()` at
// its top: outside a namespace it registers one test that re-runs the file inside one and reports its output.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';

const MARKER = 'PERFGATE_TEST_NETNS';
/** How long the whole re-run may take before it is stopped. */
const RERUN_TIMEOUT_MS = 240_000;

/** Whether `unshare -n` works here (root, or a kernel that allows user namespaces). */
function canUnshare(): boolean {
  const r = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore', timeout: 5000 });
  return r.status === 0;
}

/** The environment without node:test's own marker, so the re-run is a test run of its own. */
function withoutTestContext(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _ignored, ...rest } = env;
  return rest;
}

/**
 * True when this process runs inside the fresh namespace (and then asserts that loopback is its only interface);
 * otherwise registers a test that re-runs `fileUrl` under `unshare -n` with loopback up, and returns false.
 */
export function insideFreshNetns(fileUrl: string): boolean {
  if (process.env[MARKER] === '1') {
    const interfaces = Object.keys(networkInterfaces());
    assert.deepEqual(interfaces, ['lo'], 'a guard test must run where loopback is the only interface');
    return true;
  }
  const file = fileURLToPath(fileUrl);
  const skip = canUnshare() ? false : 'unshare -n is not permitted here; guard tests never run outside a fresh network namespace';
  test(`${file.split('/test/')[1] ?? file} inside a fresh network namespace (unshare -n, loopback only)`, { skip, timeout: RERUN_TIMEOUT_MS + 5000 }, async () => {
    const script = 'ip link set lo up && exec "$0" "$@"';
    const child = spawn('unshare', ['-n', 'sh', '-c', script, process.execPath, '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', file], {
      env: { ...withoutTestContext(process.env), [MARKER]: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RERUN_TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    process.stdout.write(out.replace(/^/gm, '    '));
    assert.equal(code, 0, `the tests inside the namespace failed:\n${out}`);
  });
  return false;
}
