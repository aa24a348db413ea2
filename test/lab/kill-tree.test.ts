// killTree kills a process and every descendant, also those that left its process group (as PostgreSQL's backends
// do with setsid), which a group kill alone leaves running.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { descendants, isAlive, killTree, signalGroup } from '../../src/lab/process.ts';

/** The process group of a live process, from /proc. */
function pgidOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/** A shell (its own group) with one child in a session of its own; resolves once the child is seen. */
async function shellWithEscapedChild(): Promise<{ shell: number; exited: Promise<unknown> }> {
  const proc = spawn('sh', ['-c', 'setsid sleep 30 & sleep 30'], { detached: true, stdio: 'ignore' });
  const exited = new Promise((r) => proc.on('exit', r));
  // setsid may fork on its way: wait until a descendant has left the shell's process group.
  for (let i = 0; i < 300 && !descendants(proc.pid!).some((p) => pgidOf(p) !== proc.pid); i++) await new Promise((r) => setTimeout(r, 10));
  return { shell: proc.pid!, exited };
}

test('a group kill leaves a child that called setsid; killTree kills it too', async () => {
  const a = await shellWithEscapedChild();
  const escapedA = descendants(a.shell);
  assert.ok(escapedA.length >= 2, `descendants: ${escapedA}`);
  signalGroup(a.shell, 'SIGKILL');
  await a.exited;
  const left = escapedA.filter((p) => isAlive(p));
  assert.ok(left.length >= 1, 'the setsid child survives a group kill');
  for (const p of left) process.kill(p, 'SIGKILL');

  const b = await shellWithEscapedChild();
  const tree = descendants(b.shell);
  killTree(b.shell);
  await b.exited;
  for (let i = 0; i < 100 && tree.some((p) => isAlive(p)); i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(tree.filter((p) => isAlive(p)), [], 'killTree leaves none');
});
