// Offline tools: key generation, token minting for load tests, and the seeded ticker list.

import { createPrivateKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { SEED_CLIENTS } from './auth/clients.ts';
import { TOKEN_TTL_S, signAccessToken } from './auth/jwt.ts';
import { generatePemKeyPair, writeKeyFiles } from './auth/keys.ts';
import { generateCompanies, type SeedSize } from './seed/generate.ts';

/** Parses a TTL such as `900`, `900s`, `30m`, `2h` or `1d` into seconds; throws naming `--ttl` (pure). */
export function parseTtlS(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`--ttl must look like 900, 900s, 30m, 2h or 1d, got ${JSON.stringify(text)}`);
  const n = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  if (n < 1 || n > 30 * 86400) throw new Error('--ttl must be between 1 s and 30 days');
  return n;
}

/** Parses a seed size option; throws naming `--size` (pure). */
export function parseSeedSize(text: string): SeedSize {
  if (text !== 'small' && text !== 'default') throw new Error(`--size must be small or default, got ${JSON.stringify(text)}`);
  return text;
}

/** The subject of the i-th minted token (1-based), e.g. perfgate-load-0001 (pure). */
export function mintedSubject(clientId: string, i: number): string {
  return `${clientId}-${String(i).padStart(4, '0')}`;
}

/** Writes a new RS256 key pair into a folder. */
export async function genKeys(outDir: string): Promise<{ privateFile: string; publicFile: string }> {
  return writeKeyFiles(outDir, await generatePemKeyPair());
}

/** Mints `count` tokens for a seeded client (distinct subjects, the client's tier) into a CSV with header `token`. */
export async function mintTokens(options: { count: number; ttlS: number; clientId: string; out: string; privateKeyFile: string }): Promise<void> {
  const client = SEED_CLIENTS.find((c) => c.clientId === options.clientId);
  if (!client) throw new Error(`--client must be one of ${SEED_CLIENTS.map((c) => c.clientId).join(', ')}`);
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > 100_000) {
    throw new Error('--count must be an integer from 1 to 100000');
  }
  if (options.ttlS > TOKEN_TTL_S) throw new Error(`--ttl must be at most ${TOKEN_TTL_S} s (15m): the API refuses longer-lived tokens`);
  const privateKey = createPrivateKey(await readFile(options.privateKeyFile, 'utf8'));
  const lines = ['token'];
  for (let i = 1; i <= options.count; i++) {
    const sub = mintedSubject(client.clientId, i);
    lines.push(await signAccessToken(privateKey, { sub, clientId: client.clientId, tier: client.tier, scopes: client.scopes }, options.ttlS));
  }
  await writeFile(options.out, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/** The seeded tickers of a size, in seed order. */
export function tickers(size: SeedSize): string[] {
  return generateCompanies(size).map((c) => c.ticker);
}
