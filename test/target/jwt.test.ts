import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { generatePemKeyPair, importKeys, type PemKeyPair, type SigningKeys } from '../../src/target/auth/keys.ts';
import {
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  TokenRejectedError,
  VerifiedTokenCache,
  bearerToken,
  checkClaims,
  signAccessToken,
  verifyAccessToken,
} from '../../src/target/auth/jwt.ts';

let pem: PemKeyPair;
let keys: SigningKeys;
let otherKeys: SigningKeys;
before(async () => {
  pem = await generatePemKeyPair();
  keys = importKeys(pem);
  otherKeys = importKeys(await generatePemKeyPair());
});

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const nowS = (): number => Math.floor(Date.now() / 1000);
const goodPayload = () => ({ sub: 'demo-client', client_id: 'demo-client', tier: 'standard', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, iat: nowS(), exp: nowS() + 900 });

async function rejection(token: string): Promise<string> {
  try {
    await verifyAccessToken(keys.publicKey, token);
  } catch (err) {
    assert.ok(err instanceof TokenRejectedError, `expected TokenRejectedError, got ${err}`);
    return err.reason;
  }
  assert.fail('the token was accepted');
}

test('a token we signed verifies and carries subject, client and tier', async () => {
  const token = await signAccessToken(keys.privateKey, { sub: 'perfgate-load-0001', clientId: 'perfgate-load', tier: 'load' }, 900);
  const claims = await verifyAccessToken(keys.publicKey, token);
  assert.deepEqual({ ...claims, expS: 0 }, { sub: 'perfgate-load-0001', clientId: 'perfgate-load', tier: 'load', scopes: [], expS: 0 });
  assert.ok(claims.expS > nowS() + 800);
});

test('a token carries its scopes in the space-separated `scope` claim; unknown names are dropped; a non-string is refused', async () => {
  const sign = (scopes?: Array<'reports:write' | 'clients:erase'>) => signAccessToken(keys.privateKey, { sub: 's', clientId: 'c', tier: 'standard', scopes }, 900);
  assert.deepEqual((await verifyAccessToken(keys.publicKey, await sign(['reports:write', 'clients:erase']))).scopes, ['reports:write', 'clients:erase']);
  assert.deepEqual((await verifyAccessToken(keys.publicKey, await sign())).scopes, []);
  const forged = await new SignJWT({ client_id: 'c', tier: 'standard', scope: 'admin reports:write' })
    .setProtectedHeader({ alg: 'RS256' }).setSubject('s').setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setIssuedAt().setExpirationTime('10m').sign(keys.privateKey);
  assert.deepEqual((await verifyAccessToken(keys.publicKey, forged)).scopes, ['reports:write']);
  const bad = await new SignJWT({ client_id: 'c', tier: 'standard', scope: ['reports:write'] })
    .setProtectedHeader({ alg: 'RS256' }).setSubject('s').setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setIssuedAt().setExpirationTime('10m').sign(keys.privateKey);
  await assert.rejects(verifyAccessToken(keys.publicKey, bad), /scope/);
});

test('a token with alg "none" is rejected', async () => {
  const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(goodPayload())}.`;
  assert.match(await rejection(token), /invalid|algorithm/);
});

test('an HS256 token re-signed with the public key as the secret is rejected', async () => {
  const token = await new SignJWT(goodPayload()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(pem.publicPem));
  assert.match(await rejection(token), /algorithm|invalid/);
});

test('an expired token is rejected as expired', async () => {
  const token = await signAccessToken(keys.privateKey, { sub: 's', clientId: 'c', tier: 'standard' }, 60, nowS() - 3600);
  assert.equal(await rejection(token), 'token expired');
});

test('a token for another audience is rejected naming the aud claim', async () => {
  const token = await new SignJWT({ ...goodPayload(), aud: 'someone-else' }).setProtectedHeader({ alg: 'RS256' }).sign(keys.privateKey);
  assert.equal(await rejection(token), 'token claim "aud" is invalid');
});

test('a token from another issuer is rejected naming the iss claim', async () => {
  const token = await new SignJWT({ ...goodPayload(), iss: 'evil' }).setProtectedHeader({ alg: 'RS256' }).sign(keys.privateKey);
  assert.equal(await rejection(token), 'token claim "iss" is invalid');
});

test('a token signed by another key is rejected', async () => {
  const token = await signAccessToken(otherKeys.privateKey, { sub: 's', clientId: 'c', tier: 'standard' }, 900);
  assert.equal(await rejection(token), 'token is invalid');
});

test('a tampered payload is rejected', async () => {
  const token = await signAccessToken(keys.privateKey, { sub: 's', clientId: 'c', tier: 'standard' }, 900);
  const [h, , s] = token.split('.');
  assert.equal(await rejection(`${h}.${b64({ ...goodPayload(), tier: 'load' })}.${s}`), 'token is invalid');
});

const claimCases: Array<[string, Record<string, unknown>, string]> = [
  ['no subject', { client_id: 'c', tier: 'standard', exp: 1 }, 'token has no subject'],
  ['no client id', { sub: 's', tier: 'standard', exp: 1 }, 'token has no client_id'],
  ['an unknown tier', { sub: 's', client_id: 'c', tier: 'gold', exp: 1 }, 'token has an unknown tier'],
  ['a tier inherited from Object.prototype', { sub: 's', client_id: 'c', tier: 'toString', exp: 1 }, 'token has an unknown tier'],
  ['no expiry', { sub: 's', client_id: 'c', tier: 'standard' }, 'token has no expiry'],
];
for (const [name, payload, reason] of claimCases) {
  test(`checkClaims refuses a payload with ${name}`, () => {
    assert.throws(() => checkClaims(payload), (err: unknown) => err instanceof TokenRejectedError && err.reason === reason);
  });
}

const headerCases: Array<[string | undefined, string | null]> = [
  [undefined, null],
  ['', null],
  ['Basic abc', null],
  ['Bearer', null],
  ['Bearer a.b.c', 'a.b.c'],
  ['bearer a.b.c', 'a.b.c'],
  ['Bearer a.b.c extra', null],
];
for (const [header, expected] of headerCases) {
  test(`bearerToken(${JSON.stringify(header)}) ${expected ? 'extracts the token' : 'is rejected'}`, () => {
    if (expected) assert.equal(bearerToken(header), expected);
    else assert.throws(() => bearerToken(header), TokenRejectedError);
  });
}

test('the verified-token cache forgets a token once it expires', () => {
  const cache = new VerifiedTokenCache(2);
  const claims = { sub: 's', clientId: 'c', tier: 'standard' as const, scopes: [], expS: 100 };
  cache.set('t', claims);
  assert.deepEqual(cache.get('t', 99), claims);
  assert.equal(cache.get('t', 100), undefined);
  assert.equal(cache.get('t', 50), undefined, 'an expired entry is dropped');
});

test('the verified-token cache stays bounded', () => {
  const cache = new VerifiedTokenCache(2);
  const claims = { sub: 's', clientId: 'c', tier: 'standard' as const, scopes: [], expS: 100 };
  cache.set('a', claims);
  cache.set('b', claims);
  cache.set('c', claims);
  assert.equal(cache.get('a', 0), undefined);
  assert.deepEqual(cache.get('c', 0), claims);
});

test('a token living longer than 15 minutes, or issued in the future beyond 30 s of skew, is rejected; 20 s of skew is allowed', async () => {
  const claims = { sub: 's', clientId: 'c', tier: 'standard' as const };
  await assert.rejects(verifyAccessToken(keys.publicKey, await signAccessToken(keys.privateKey, claims, 7200)), /longer than 15 minutes/);
  await assert.rejects(verifyAccessToken(keys.publicKey, await signAccessToken(keys.privateKey, claims, 600, nowS() + 120)), /iat/);
  const skewed = await verifyAccessToken(keys.publicKey, await signAccessToken(keys.privateKey, claims, 600, nowS() + 20));
  assert.equal(skewed.sub, 's');
  await assert.rejects(verifyAccessToken(keys.publicKey, await signAccessToken(keys.privateKey, claims, 900, nowS() - 960)), /expired|iat/);
});
