// API clients and their tiers: who may ask for a token, and how fast each tier may call the API.

import type { Scope } from './scopes.ts';

/** A client tier: its token-bucket capacity and refill rate. */
export interface Tier {
  capacity: number;
  refillPerS: number;
}

/** Tier names. `load` is for load tests: its bucket is large enough for thousands of virtual users. */
export type TierName = 'standard' | 'load';

/** The tiers and their rate limits (per token subject). */
export const TIERS: Record<TierName, Tier> = {
  standard: { capacity: 40, refillPerS: 20 },
  load: { capacity: 20_000, refillPerS: 10_000 },
};

/** Whether a string names a known tier. */
export function isTierName(value: unknown): value is TierName {
  return typeof value === 'string' && Object.hasOwn(TIERS, value);
}

/** A client created by `seed` (the secret is hashed with bcrypt before it is stored). */
export interface SeedClient {
  clientId: string;
  secret: string;
  tier: TierName;
  /** What its tokens may change (auth/scopes.ts). */
  scopes: readonly Scope[];
}

/** The clients `seed` creates. These are demo credentials for a local service, documented in the README. */
export const SEED_CLIENTS: readonly SeedClient[] = [
  { clientId: 'demo-client', secret: 'demo-secret', tier: 'standard', scopes: ['reports:write'] },
  { clientId: 'perfgate-load', secret: 'perfgate-load-secret', tier: 'load', scopes: ['reports:write'] },
];

/** bcrypt cost factor for client secrets. */
export const BCRYPT_COST = 12;

/**
 * A valid cost-12 bcrypt hash of a random string nobody knows; an unknown client id is compared against it so that
 * unknown ids and wrong secrets take the same time.
 */
export const DUMMY_BCRYPT_HASH = '$2b$12$Wqyf420UhkrdGICn98wameks1eH7HZf7Q/DC7IRGalSBzIQ0LUrr2';
