// Per-client permissions: a token carries the scopes its client was granted (the `scope` claim, space-separated);
// reading needs none, each write names the scope it needs.

import { HttpError } from '../http-errors.ts';
import type { AccessClaims } from './jwt.ts';

/** The scopes the API knows: writing analyst reports, and erasing any client's data. */
export const SCOPES = ['reports:write', 'clients:erase'] as const;

/** One scope. */
export type Scope = (typeof SCOPES)[number];

/** The scopes of a `scope` claim (unknown names are dropped); throws a TypeError when the claim is not a string. */
export function parseScopeClaim(claim: unknown): Scope[] {
  if (claim === undefined) return [];
  if (typeof claim !== 'string') throw new TypeError('scope must be a space-separated string');
  return claim.split(' ').filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
}

/** Throws 403 `insufficient_scope` unless the token carries the scope. */
export function requireScope(claims: AccessClaims, scope: Scope): void {
  if (!claims.scopes.includes(scope)) throw new HttpError(403, 'insufficient_scope', `this needs the "${scope}" scope`);
}
