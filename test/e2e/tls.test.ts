// The lab over TLS: the target serves HTTPS with a certificate from the lab's own CA, refuses anything below TLS 1.2,
// negotiates TLS 1.3, sends HSTS, and a gated run reaches it (and its /metrics) with the certificate verified.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { connect, type ConnectionOptions } from 'node:tls';
import { startTestLab, type Lab } from '../support/lab.ts';
import { explain, gatedRun, tempReports } from './support.ts';

/** Opens a TLS connection to the lab's target; resolves with the protocol and whether the certificate verified. */
function handshake(lab: Lab, opts: ConnectionOptions): Promise<{ protocol: string | null; authorized: boolean }> {
  const { port } = new URL(lab.info.targetUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), ...opts }, () => {
      const out = { protocol: socket.getProtocol(), authorized: socket.authorized };
      socket.end();
      resolve(out);
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timed out')));
    socket.on('error', reject);
  });
}

describe('the lab over TLS', { timeout: 300_000 }, () => {
  let lab: Lab;
  let ca: string;
  let reports: Awaited<ReturnType<typeof tempReports>>;
  before(async () => {
    reports = await tempReports();
    lab = await startTestLab({ tls: true });
    ca = readFileSync(lab.info.caFile!, 'utf8');
  });
  after(async () => {
    await lab?.stop();
    await reports?.cleanup();
  });

  test('the target URL is https and the lab publishes its CA', () => {
    assert.match(lab.info.targetUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(ca, /-----BEGIN CERTIFICATE-----/);
  });

  test('TLS 1.3 is negotiated and the certificate verifies against the lab CA, for 127.0.0.1 and localhost', async () => {
    assert.deepEqual(await handshake(lab, { ca }), { protocol: 'TLSv1.3', authorized: true });
    assert.deepEqual(await handshake(lab, { ca, servername: 'localhost' }), { protocol: 'TLSv1.3', authorized: true });
  });

  test('TLS 1.2 is accepted; TLS 1.1 and 1.0 are refused by the server', async () => {
    assert.equal((await handshake(lab, { ca, maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
    // The client is allowed to speak 1.0/1.1 (security level 0), so a failure is the server's refusal.
    await assert.rejects(handshake(lab, { ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }), /protocol version|unsupported protocol|no protocols available/i);
  });

  test('without the lab CA the certificate does not verify', async () => {
    await assert.rejects(handshake(lab, {}), (err: NodeJS.ErrnoException) => /CERT|SIGNATURE|ISSUER/.test(err.code ?? ''));
  });

  test('responses carry Strict-Transport-Security', async () => {
    const hsts = await new Promise<string | undefined>((resolve, reject) => {
      get(`${lab.info.targetUrl}/health/live`, { ca }, (res) => {
        res.resume();
        resolve(res.headers['strict-transport-security'] as string | undefined);
      }).on('error', reject);
    });
    assert.match(hsts ?? '', /max-age=\d+/);
  });

  // What is asserted is the transport: every request verified and answered; the latency SLOs are the baseline tests'.
  test('a gated run over TLS reaches the API and its /metrics with the certificate verified', async () => {
    const { data } = await gatedRun({ scenario: 'baseline', profile: 'smoke', sharedLab: lab, reportsDir: reports.dir, noReport: true });
    assert.equal(data.run.target.baseUrl, lab.info.targetUrl);
    assert.ok(['completed', 'invalid'].includes(data.run.status), explain(data));
    let ok = 0;
    let other = 0;
    for (const r of data.intervals) {
      if (r.type !== 'req') continue;
      for (const [k, n] of Object.entries(r.statuses)) (k.startsWith('2') ? (ok += n ?? 0) : (other += n ?? 0));
      for (const n of Object.values(r.errors)) other += n ?? 0;
    }
    assert.ok(ok > 100 && other <= ok * 0.01, `2xx ${ok}, other ${other}: ${explain(data)}`);
    const scraped = data.samples.filter((s) => s.source === 'prometheus' && s.value !== null);
    assert.ok(scraped.length > 10, `prometheus samples over https: ${scraped.length}`);
    const http = (data.verdict?.thresholds ?? []).find((t) => t.key === 'http_req_failed');
    assert.equal(http?.observed, 0, explain(data));
  });
});
