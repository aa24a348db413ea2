// The target's HTTPS settings: the certificate and key read from TLS_CERT_FILE and TLS_KEY_FILE, TLS 1.2 at the least.

import { readFile } from 'node:fs/promises';
import type { SecureContextOptions } from 'node:tls';
import type { TargetConfig } from './config.ts';

/** What node:https needs: the PEM certificate chain and key, and the protocol floor (TLS 1.3 is negotiated when both ends can). */
export interface TlsServerOptions extends Pick<SecureContextOptions, 'minVersion'> {
  cert: Buffer;
  key: Buffer;
}

/** The lowest protocol the target accepts. */
export const TLS_MIN_VERSION = 'TLSv1.2' as const;

/** Reads the certificate and key files of a TLS configuration; the error names the file that could not be read. */
export async function readTlsOptions(tls: NonNullable<TargetConfig['tls']>): Promise<TlsServerOptions> {
  const read = (name: string, file: string) =>
    readFile(file).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${name} ${file}: ${err.code ?? err.message}`);
    });
  const [cert, key] = await Promise.all([read('TLS_CERT_FILE', tls.certFile), read('TLS_KEY_FILE', tls.keyFile)]);
  return { cert, key, minVersion: TLS_MIN_VERSION };
}
