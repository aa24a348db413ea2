// The target's offline commands as users run them: migrate, seed, tickers, gen-keys, mint-tokens.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ROOT } from './harness.ts';
import { startServices, type Services } from '../support/services.ts';
import { importKeys, readPemKeyPair } from '../../src/target/auth/keys.ts';
import { verifyAccessToken } from '../../src/target/auth/jwt.ts';
import { generateCompanies } from '../../src/target/seed/generate.ts';
import { mintTokens } from '../../src/target/tools.ts';
import { MIGRATIONS_DIR } from '../../src/target/db/migrate.ts';

const exec = promisify(execFile);
let services: Services;
let dir: string;

/** Runs `node --import tsx src/target/main.ts <args>` and returns stdout. */
async function target(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', join(ROOT, 'src/target/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

before(async () => {
  services = await startServices();
  dir = mkdtempSync(join(tmpdir(), 'perfgate-target-cmd-'));
});
after(async () => {
  await services?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('migrate applies the schema once and is a no-op the second time', async () => {
  const env = { DATABASE_URL: services.databaseUrl };
  const first = JSON.parse(await target(['migrate'], env));
  assert.deepEqual(first.applied, readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort());
  assert.equal(first.applied[0], '001_initial.sql');
  const second = JSON.parse(await target(['migrate'], env));
  assert.deepEqual(second.applied, []);
});

test('seed --size small loads the deterministic data and re-running replaces it', async () => {
  const env = { DATABASE_URL: services.databaseUrl };
  const first = JSON.parse(await target(['seed', '--size', 'small'], env));
  assert.equal(first.companies, 200);
  assert.equal(first.metrics, 200 * 12);
  const client = new pg.Client({ connectionString: services.databaseUrl });
  await client.connect();
  try {
    await client.query(`INSERT INTO reports (company_id, author, title, rating, summary) VALUES (1, 'x', 't', 'buy', 's')`);
    const snapshot = async () =>
      (await client.query('SELECT ticker, name, market_cap::text FROM companies ORDER BY id')).rows;
    const before = await snapshot();
    const second = JSON.parse(await target(['seed', '--size', 'small'], env));
    assert.deepEqual({ ...second, durationMs: 0 }, { ...first, durationMs: 0 });
    assert.deepEqual(await snapshot(), before, 'identical data on re-seed');
    assert.equal((await client.query('SELECT count(*)::int AS n FROM reports')).rows[0].n, 0);
    const clients = (await client.query('SELECT client_id, secret_hash, tier FROM api_clients ORDER BY client_id')).rows;
    assert.deepEqual(clients.map((c) => [c.client_id, c.tier]), [['demo-client', 'standard'], ['perfgate-load', 'load']]);
    for (const c of clients) assert.match(c.secret_hash, /^\$2[aby]\$12\$/, 'bcrypt cost 12');
  } finally {
    await client.end();
  }
});

test('tickers prints the seeded tickers without a database, the same as the seed', async () => {
  const small = (await target(['tickers', '--size', 'small'])).trim().split('\n');
  assert.deepEqual(small, generateCompanies('small').map((c) => c.ticker));
});

test('gen-keys writes an RS256 pair and mint-tokens writes valid tokens with distinct subjects', async () => {
  const keyDir = join(dir, 'keys');
  await target(['gen-keys', '--out', keyDir]);
  const privateFile = join(keyDir, 'jwt-private.pem');
  assert.equal(statSync(privateFile).mode & 0o077, 0, 'private key is not readable by others');
  const out = join(dir, 'tokens.csv');
  await target(['mint-tokens', '--count', '25', '--ttl', '15m', '--client', 'perfgate-load', '--out', out], { JWT_PRIVATE_KEY_FILE: privateFile });
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'token');
  assert.equal(lines.length, 26);
  const keys = importKeys(await readPemKeyPair(privateFile, join(keyDir, 'jwt-public.pem')));
  const subs = new Set<string>();
  for (const t of lines.slice(1)) {
    const claims = await verifyAccessToken(keys.publicKey, t);
    assert.equal(claims.tier, 'load');
    assert.equal(claims.clientId, 'perfgate-load');
    assert.ok(claims.expS - Date.now() / 1000 > 800);
    subs.add(claims.sub);
  }
  assert.equal(subs.size, 25);
  assert.ok(subs.has('perfgate-load-0001'));
  await assert.rejects(
    mintTokens({ count: 1, ttlS: 60, clientId: 'nobody', out, privateKeyFile: privateFile }),
    /--client must be one of/,
  );
  await assert.rejects(
    mintTokens({ count: 1, ttlS: 7200, clientId: 'perfgate-load', out, privateKeyFile: privateFile }),
    /--ttl must be at most 900 s/,
  );
});
