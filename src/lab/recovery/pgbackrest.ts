// pgBackRest for the lab: a repository in a local folder (standing in for object storage), its config file, and
// the commands run as the user PostgreSQL runs as (pgBackRest reads the data folder and must own the repository).

import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asUser, chownTree, type ServiceUser } from '../service-user.ts';
import { LabError } from '../../errors.ts';

/** Where a lab's pgBackRest keeps its repository, config, logs, locks and spool. */
export interface PgBackRestPaths {
  /** The folder holding all of the below. */
  dir: string;
  configFile: string;
  repoDir: string;
  logDir: string;
}

/** What a pgBackRest config names: the stanza's cluster (data folder, port, socket folder). */
export interface PgBackRestCluster {
  stanza: string;
  dataDir: string;
  port: number;
  /** The unix socket folder of the cluster (the lab's is its data folder). */
  socketDir: string;
}

/** Refuses a path a shell would split or expand: archive_command runs through the shell. */
export function shellSafePath(path: string, what: string): string {
  if (!/^[A-Za-z0-9/._+-]+$/.test(path)) throw new LabError(`${what}: the path "${path}" must hold only letters, digits and / . _ + - (it goes into archive_command)`);
  return path;
}

/** The pgbackrest.conf text of a lab repository (pure). */
export function pgbackrestConfig(paths: PgBackRestPaths, cluster: PgBackRestCluster): string {
  return [
    '[global]',
    `repo1-path=${paths.repoDir}`,
    'repo1-retention-full=2',
    `log-path=${paths.logDir}`,
    `lock-path=${join(paths.dir, 'lock')}`,
    `spool-path=${join(paths.dir, 'spool')}`,
    'log-level-console=warn',
    'log-level-file=info',
    'compress-type=lz4',
    'start-fast=y',
    'process-max=1', // the lab shares its cores with the load generator
    '',
    `[${cluster.stanza}]`,
    `pg1-path=${cluster.dataDir}`,
    `pg1-port=${cluster.port}`,
    `pg1-socket-path=${cluster.socketDir}`,
    'pg1-user=postgres',
    '',
  ].join('\n');
}

/** Makes the folders and writes the config, all owned by the service user. */
export function writePgBackRestConfig(dir: string, cluster: PgBackRestCluster, user: ServiceUser | null): PgBackRestPaths {
  const paths: PgBackRestPaths = { dir, configFile: join(dir, 'pgbackrest.conf'), repoDir: join(dir, 'repo'), logDir: join(dir, 'log') };
  for (const d of [dir, paths.repoDir, paths.logDir, join(dir, 'lock'), join(dir, 'spool')]) mkdirSync(d, { recursive: true, mode: 0o750 });
  writeFileSync(paths.configFile, pgbackrestConfig(paths, cluster), { mode: 0o640 });
  chownTree(dir, user);
  return paths;
}

/** The archive_command that pushes each WAL segment into the repository. */
export function archivePushCommand(bin: string, configFile: string, stanza: string): string {
  return `${shellSafePath(bin, 'pgbackrest')} --config=${shellSafePath(configFile, 'pgbackrest config')} --stanza=${stanza} archive-push %p`;
}

/** Output of a command that ran to its end. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** Runs a program as the service user, without blocking the event loop; a LabError with its output when it fails. */
export function runAs(bin: string, args: string[], user: ServiceUser | null, opts: { timeoutMs?: number; cwd?: string } = {}): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { ...asUser(user), cwd: opts.cwd ?? '/', timeout: opts.timeoutMs ?? 120_000, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const name = bin.split('/').pop();
        reject(new LabError(`${name} ${args.filter((a) => !a.startsWith('--config')).join(' ')} failed: ${(stderr || stdout || err.message).trim().slice(0, 2000)}`));
      } else resolve({ stdout, stderr });
    });
  });
}
