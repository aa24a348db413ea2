// The lab's TLS material, made with the openssl command: a private CA that lives as long as the lab, and a server
// certificate it signs for 127.0.0.1, ::1 and localhost. The harness verifies the target against that CA.

import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PrerequisiteError } from '../errors.ts';

const run = promisify(execFile);

/** The lab's CA certificate and the target's certificate chain and key (PEM files). */
export interface LabTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Names the certificate covers: every loopback name the harness may use. */
export const LAB_TLS_SUBJECT_ALT_NAMES = 'IP:127.0.0.1,IP:::1,DNS:localhost';

/** Runs one openssl command; a missing openssl is a PrerequisiteError with the install command. */
async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new PrerequisiteError('the lab over TLS needs the openssl command: apt-get install openssl (or brew install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Makes a CA (P-256, 2 days) and a server certificate it signs (P-256, 1 day) in dir; the keys are mode 0600. */
export async function makeLabCertificates(dir: string): Promise<LabTlsFiles> {
  // pipeline: CA key + self-signed CA certificate -> server key + CSR -> certificate signed by the CA, with the SANs
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=perfgate lab CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', f('ca-key.pem'), '-out', f('ca.pem')]);
  await openssl(['req', ...ec, '-subj', '/CN=localhost', '-keyout', f('server-key.pem'), '-out', f('server.csr')]);
  const ext = f('server.ext');
  writeFileSync(ext, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${LAB_TLS_SUBJECT_ALT_NAMES}\n`);
  await openssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'), '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', f('server.pem')]);
  for (const key of ['ca-key.pem', 'server-key.pem']) chmodSync(f(key), 0o600);
  return { caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server-key.pem') };
}
