// RS256 access tokens: signing, and verification pinned to RS256 with issuer, audience and expiry checked.

import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import type { KeyObject } from 'node:crypto';
import { isTierName, type TierName } from './clients.ts';
import { parseScopeClaim, type Scope } from './scopes.ts';

/** Who issues the tokens. */
export const TOKEN_ISSUER = 'perfgate-target';
/** Who the tokens are for. */
export const TOKEN_AUDIENCE = 'perfgate-api';
/** Lifetime of a token from POST /auth/token (15 minutes). */
export const TOKEN_TTL_S = 900;

/** Clock skew allowed between issuer and verifier. */
export const CLOCK_SKEW_S = 30;

/** The claims the API relies on, after verification. */
export interface AccessClaims {
  sub: string;
  clientId: string;
  tier: TierName;
  /** What the client may change (auth/scopes.ts); empty: read-only. */
  scopes: Scope[];
  expS: number;
}

/** A token was rejected; `reason` is safe to send to the client. */
export class TokenRejectedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TokenRejectedError';
  }
}

/** Signs an access token for a subject of a client and tier, with the client's scopes (none: read-only). */
export async function signAccessToken(
  privateKey: KeyObject,
  claims: { sub: string; clientId: string; tier: TierName; scopes?: readonly Scope[] },
  ttlS: number,
  nowS: number = Math.floor(Date.now() / 1000),
): Promise<string> {
  const scope = claims.scopes?.length ? { scope: claims.scopes.join(' ') } : {};
  return new SignJWT({ client_id: claims.clientId, tier: claims.tier, ...scope })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + ttlS)
    .sign(privateKey);
}

/** Checks the verified payload carries what the API needs (pure); throws TokenRejectedError otherwise. */
export function checkClaims(payload: JWTPayload): AccessClaims {
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new TokenRejectedError('token has no subject');
  if (typeof payload.client_id !== 'string' || payload.client_id === '') {
    throw new TokenRejectedError('token has no client_id');
  }
  if (!isTierName(payload.tier)) throw new TokenRejectedError('token has an unknown tier');
  if (typeof payload.exp !== 'number') throw new TokenRejectedError('token has no expiry');
  if (typeof payload.iat !== 'number') throw new TokenRejectedError('token has no issue time');
  if (payload.exp - payload.iat > TOKEN_TTL_S) throw new TokenRejectedError('token lives longer than 15 minutes');
  if (payload.scope !== undefined && typeof payload.scope !== 'string') throw new TokenRejectedError('token scope is not a string');
  return { sub: payload.sub, clientId: payload.client_id, tier: payload.tier, scopes: parseScopeClaim(payload.scope), expS: payload.exp };
}

/** Verifies a compact JWT: RS256 only, our issuer and audience, not expired. Throws TokenRejectedError. */
export async function verifyAccessToken(publicKey: KeyObject, token: string): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, publicKey, {
      algorithms: ['RS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub'],
      maxTokenAge: TOKEN_TTL_S,
      clockTolerance: CLOCK_SKEW_S,
    });
    return checkClaims(payload);
  } catch (err) {
    if (err instanceof TokenRejectedError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new TokenRejectedError('token expired');
    if (err instanceof joseErrors.JOSEAlgNotAllowed) throw new TokenRejectedError('token algorithm not allowed');
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      throw new TokenRejectedError(`token claim "${err.claim}" is invalid`);
    }
    throw new TokenRejectedError('token is invalid');
  }
}

/**
 * Remembers verified tokens until they expire, so a busy client's token is checked with RSA once, not per request.
 * Bounded: when full it starts over.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, AccessClaims>();
  constructor(private readonly maxEntries = 10_000) {}

  /** The cached claims of a token that has not expired yet. */
  get(token: string, nowS: number): AccessClaims | undefined {
    const claims = this.entries.get(token);
    if (!claims) return undefined;
    if (claims.expS <= nowS) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  /** Remembers a verified token's claims. */
  set(token: string, claims: AccessClaims): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(token, claims);
  }
}

/** Extracts the token from an `Authorization: Bearer <token>` header; throws TokenRejectedError when absent. */
export function bearerToken(header: string | undefined): string {
  if (!header) throw new TokenRejectedError('missing Authorization header');
  const match = /^Bearer\s+([A-Za-z0-9_\-.]+)$/i.exec(header.trim());
  if (!match) throw new TokenRejectedError('Authorization header must be "Bearer <token>"');
  return match[1]!;
}
