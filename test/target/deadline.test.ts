import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { once } from 'node:events';
import { DeadlineError, withDeadline } from '../../src/target/cache/deadline.ts';

test('a call that answers in time resolves with its value', async () => {
  assert.equal(await withDeadline(Promise.resolve(7), 50), 7);
});

test('a call that fails in time rejects with its own error', async () => {
  await assert.rejects(withDeadline(Promise.reject(new Error('boom')), 50), /boom/);
});

test('a call that never answers is cut off at about the deadline', async () => {
  const start = performance.now();
  await assert.rejects(withDeadline(new Promise(() => undefined), 60), DeadlineError);
  const took = performance.now() - start;
  assert.ok(took >= 55 && took < 500, `took ${took} ms`);
});

test('a reply that arrived during event-loop lag is read, not declared late', async () => {
  // The peer runs in another process, so its reply lands in our socket buffer while our loop is blocked.
  const peer = spawn(process.execPath, ['-e', `
    const s = require('node:net').createServer((c) => c.on('data', () => c.write('pong')));
    s.listen(0, '127.0.0.1', () => console.log(s.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(peer.stdout!, 'data')) as [Buffer];
    const socket = connect(Number(line.toString().trim()), '127.0.0.1');
    await once(socket, 'connect');
    const reply = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    const guarded = withDeadline(reply, 20);
    socket.write('ping');
    const until = performance.now() + 200; // block the loop well past the deadline while the reply lands
    while (performance.now() < until) {
      // busy
    }
    assert.equal(await guarded, 'pong');
    socket.destroy();
  } finally {
    peer.kill();
  }
});
