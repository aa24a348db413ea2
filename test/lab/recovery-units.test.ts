import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archivePushCommand, pgbackrestConfig, shellSafePath } from '../../src/lab/recovery/pgbackrest.ts';
import { retargetIni } from '../../src/lab/recovery/kit.ts';
import { newestBackup } from '../../src/run/recovery/restore-drill.ts';
import { pgbouncerConfig } from '../../src/lab/pgbouncer.ts';

test('the lab repository config names the local folder, the stanza\'s cluster and its socket', () => {
  const text = pgbackrestConfig({ dir: '/l/backup', configFile: '/l/backup/pgbackrest.conf', repoDir: '/l/backup/repo', logDir: '/l/backup/log' }, { stanza: 'lab', dataDir: '/l/pg', port: 5433, socketDir: '/l/pg' });
  for (const line of ['repo1-path=/l/backup/repo', '[lab]', 'pg1-path=/l/pg', 'pg1-port=5433', 'pg1-socket-path=/l/pg', 'start-fast=y']) assert.ok(text.split('\n').includes(line), line);
});

test('archive_command pushes through pgbackrest, and a path a shell would split is refused', () => {
  assert.equal(archivePushCommand('/usr/bin/pgbackrest', '/l/backup/pgbackrest.conf', 'lab'), '/usr/bin/pgbackrest --config=/l/backup/pgbackrest.conf --stanza=lab archive-push %p');
  assert.throws(() => shellSafePath('/tmp/a b', 'x'), /must hold only/);
  assert.throws(() => shellSafePath('/tmp/$(x)', 'x'), /must hold only/);
});

test('PgBouncer is pointed at another port by its [databases] line only', () => {
  const ini = pgbouncerConfig({ port: 6432, pgHost: '127.0.0.1', pgPort: 5432, database: 'perfgate', user: 'u', poolSize: 25, maxClientConn: 100, dir: '/d' });
  const moved = retargetIni(ini, 5999);
  assert.match(moved, /^perfgate = host=127\.0\.0\.1 port=5999 dbname=perfgate$/m);
  assert.match(moved, /^listen_port = 6432$/m);
  assert.throws(() => retargetIni('[pgbouncer]\n', 1), /no \[databases\]/);
});

test('the newest backup is read from pgbackrest info JSON', () => {
  const json = JSON.stringify([{ backup: [
    { label: 'A', info: { size: 10 }, archive: { start: 'S1', stop: 'E1' } },
    { label: 'B', info: { size: 20_000_000 }, archive: { start: 'S2', stop: 'E2' } },
  ] }]);
  assert.deepEqual(newestBackup(json), { label: 'B', sizeBytes: 20_000_000, archiveStart: 'S2', archiveStop: 'E2' });
  assert.equal(newestBackup('[{"backup":[]}]'), undefined);
});
