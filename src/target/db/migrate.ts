// Applies src/target/db/migrations/*.sql in name order, each once, recorded in schema_migrations; run as the owner.
// With an app role, then grants it grants.sql (least privilege: the service reads and writes data, creates nothing).

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';

/** The folder holding the migrations. */
export const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');

/** The privileges of the service role (see grants.sql). */
export const GRANTS_FILE = join(import.meta.dirname, 'grants.sql');

/** Applies pending migrations in one transaction each, then the grants of `appRole` when given; returns the names applied. */
export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR, appRole?: string): Promise<string[]> {
  // pipeline: connect -> lock -> list files -> skip applied -> apply each in a transaction -> record -> [grants to appRole]
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'perfgate-target-migrate' });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
    for (const file of files) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['perfgate-target-migrate']);
        const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [file]);
        if (done.rowCount) {
          await client.query('COMMIT');
          continue;
        }
        await client.query(await readFile(join(dir, file), 'utf8'));
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
        await client.query('COMMIT');
        applied.push(file);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`migration ${file} failed: ${(err as Error).message}`);
      }
    }
    if (appRole) await grantAppRole(client, appRole);
  } finally {
    await client.end();
  }
  return applied;
}

/** Grants the service role its privileges (grants.sql), in one transaction. */
async function grantAppRole(client: pg.Client, role: string): Promise<void> {
  const sql = (await readFile(GRANTS_FILE, 'utf8')).replaceAll(':role', client.escapeIdentifier(role));
  await client.query('BEGIN');
  try {
    await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new Error(`granting ${role} its privileges failed: ${(err as Error).message}`);
  }
}
