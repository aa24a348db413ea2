import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunFlags } from '../../src/cli/commands/run.ts';
import { ConfigError } from '../../src/errors.ts';
import { selfSignedCert } from '../support/tls-cert.ts';

const base = { profile: 'smoke', workers: '1', allowHost: [], report: true, baseline: [] };

test('--ca-file: a PEM certificate file is read; a missing or non-PEM file is a ConfigError naming --ca-file and the path', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-ca-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'ca.pem');
  writeFileSync(good, selfSignedCert().cert);
  const notPem = join(dir, 'ca.txt');
  writeFileSync(notPem, 'not a certificate');
  assert.match(parseRunFlags({ ...base, caFile: good }).tlsCa ?? '', /BEGIN CERTIFICATE/);
  assert.equal(parseRunFlags(base).tlsCa, undefined);
  for (const [file, why] of [[join(dir, 'missing.pem'), /cannot be read \(ENOENT\)/], [notPem, /holds no PEM certificate/]] as const) {
    assert.throws(() => parseRunFlags({ ...base, caFile: file }), (err: unknown) => err instanceof ConfigError && err.message.includes('--ca-file') && err.message.includes(file) && why.test(err.message));
  }
});
