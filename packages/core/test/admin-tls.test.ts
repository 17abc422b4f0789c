/**
 * Issue 15.9 for the admin server: HTTPS with the server certificate from config and, with
 * `requestCert`, only the client certificates listed in `admin.clients`; tested with curl. And
 * 15.4: the admin server is held to the shared listener limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SlowClients, curlWithCa, makeTestPki, startTestMmsc, waitFor, type TestMmsc, type TestPki, requireSystem } from '@openmmsc/testkit';

describe('admin server over HTTPS with client certificates', { skip: requireSystem('openssl', 'curl') }, () => {
  let pki: TestPki;
  let t: TestMmsc;
  before(async () => {
    pki = await makeTestPki(['ops', 'intruder']);
    t = await startTestMmsc({
      config: {
        admin: {
          host: '127.0.0.1',
          port: 0,
          tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true },
          clients: [{ subject: 'ops' }],
          listener: { headersTimeout: '1s', requestTimeout: '2s', maxConnectionsPerAddress: 5 },
        },
      },
    });
  });
  after(async () => {
    await t?.stop();
    await pki?.remove();
  });

  const curl = (path: string, cert?: { cert: string; key: string }) =>
    curlWithCa(pki.ca, [...(cert ? ['--cert', cert.cert, '--key', cert.key] : []), `${t.mmsc.adminUrl}${path}`]);

  it('serves the allowed client certificate over a verified HTTPS chain', async () => {
    assert.match(t.mmsc.adminUrl!, /^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await curl('/health', pki.clients.ops);
    assert.equal(health.status, 200);
    const metrics = await curl('/metrics', pki.clients.ops);
    assert.match(metrics.body, /openmmsc_listener_connections\{listener="admin"\}/);
  });

  it('refuses another CA-signed certificate, a look-alike, and no certificate', async () => {
    const rogue = await pki.rogue('ops');
    for (const cert of [pki.clients.intruder, rogue, undefined]) {
      const r = await curl('/metrics', cert);
      assert.equal(r.status, 403, r.body);
      assert.match(r.body, /client certificate allowed by admin.clients is required/);
    }
  });

  it('is held to the listener limits: connections capped per address and cut off at the time-outs', async () => {
    const port = Number(new URL(t.mmsc.adminUrl!).port);
    // They connect and never start the TLS handshake.
    const slow = new SlowClients({ port, localAddress: '127.0.0.2', count: 30, opening: '', everyMs: 60_000, batch: 10 });
    try {
      const started = Date.now();
      await slow.start();
      await waitFor('capped at 5 per address', () => slow.stillOpen <= 5, { timeoutMs: 500 });
      assert.equal(slow.stillOpen, 5);
      await waitFor('the rest cut off at the headers time-out', () => slow.stillOpen === 0, { timeoutMs: 4000 });
      assert.ok(Math.max(...slow.connections.map((c) => c.closedAt! - started)) >= 900, 'held until the time-out, not refused');
    } finally {
      slow.stop();
    }
  });
});
