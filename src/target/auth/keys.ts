// The RS256 key pair: read from PEM files, or generated once (ephemeral) and handed to the workers as PEM text.

import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A key pair as PEM text (what crosses process boundaries). */
export interface PemKeyPair {
  privatePem: string;
  publicPem: string;
}

/** A key pair ready for signing and verifying. */
export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Generates a fresh 2048-bit RSA key pair as PEM. */
export async function generatePemKeyPair(): Promise<PemKeyPair> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

/** Reads a key pair from PEM files. */
export async function readPemKeyPair(privateFile: string, publicFile: string): Promise<PemKeyPair> {
  const [privatePem, publicPem] = await Promise.all([readFile(privateFile, 'utf8'), readFile(publicFile, 'utf8')]);
  return { privatePem, publicPem };
}

/** Turns PEM text into key objects, checking both are RSA. */
export function importKeys(pem: PemKeyPair): SigningKeys {
  const privateKey = createPrivateKey(pem.privatePem);
  const publicKey = createPublicKey(pem.publicPem);
  if (privateKey.asymmetricKeyType !== 'rsa' || publicKey.asymmetricKeyType !== 'rsa') {
    throw new Error('JWT keys must be RSA (RS256)');
  }
  return { privateKey, publicKey };
}

/** Writes jwt-private.pem (mode 0600) and jwt-public.pem into a folder; returns their paths. */
export async function writeKeyFiles(dir: string, pem: PemKeyPair): Promise<{ privateFile: string; publicFile: string }> {
  await mkdir(dir, { recursive: true });
  const privateFile = join(dir, 'jwt-private.pem');
  const publicFile = join(dir, 'jwt-public.pem');
  await writeFile(privateFile, pem.privatePem, { mode: 0o600 });
  await writeFile(publicFile, pem.publicPem);
  return { privateFile, publicFile };
}
