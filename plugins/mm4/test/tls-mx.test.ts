import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildMessage, requireSystem, startDnsServer, systemCommand, waitFor } from '@openmmsc/testkit';
import { mm4Stats } from '../src/index.js';
import { DOMAIN_A, DOMAIN_B, freePort, startSide } from './helpers.js';

describe('MM4 peer found by MX, over STARTTLS', { skip: requireSystem('openssl') }, () => {
  it('A finds B through its MX record, verifies B’s certificate, and B insists on TLS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm4-mx-'));
    execFileSync(systemCommand('openssl', 'openssl'), ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=mx.b.test', '-addext', 'subjectAltName=DNS:mx.b.test', '-days', '2', '-keyout', join(dir, 'b.key'), '-out', join(dir, 'b.crt')], { stdio: 'ignore' });
    const certB = readFileSync(join(dir, 'b.crt'), 'utf8');
    const dns = await startDnsServer({
      records: {
        [DOMAIN_B]: [{ type: 'MX', preference: 10, exchange: 'mx.b.test' }],
        'mx.b.test': [{ type: 'A', address: '127.0.0.1' }],
      },
    });
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await startSide('A', portA, portB, {
      mm4A: {
        dnsServers: [dns.address],
        peers: [{ domain: DOMAIN_B, port: portB, localAddress: '127.0.0.2', addresses: ['127.0.0.3'], requireTls: true, tls: { ca: certB } }],
      },
    });
    const b = await startSide('B', portA, portB, {
      mm4B: {
        server: { tls: { key: join(dir, 'b.key'), cert: join(dir, 'b.crt') } },
        peers: [{ domain: DOMAIN_A, host: '127.0.0.1', port: portA, localAddress: '127.0.0.3', addresses: ['127.0.0.2'], requireInboundTls: true }],
      },
    });
    try {
      const sent = await a.t.mmsc.submit({ message: buildMessage({ from: '+15550000001', to: '+16660000002', text: 'secret' }), origin: { interface: 'api' } });
      assert.equal(sent.status, 'accepted');
      await waitFor('B gets it over TLS', () => b.push.pushes.find((p) => p.to.value === '+16660000002'));
      assert.ok(dns.count(DOMAIN_B) >= 1, 'the MX was looked up');
      assert.ok(dns.count('mx.b.test') >= 1, 'the MX host was resolved');
      await waitFor('A counts the forward', () => mm4Stats(a.t.mmsc)?.forwarded === 1);
    } finally {
      await a.t.stop();
      await b.t.stop();
      await dns.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
