/**
 * Issue 15.9: MM7 over HTTPS with the server certificate from config, and per-VASP client
 * certificates (mutual TLS) checked against the VASP account. The clients are real TLS stacks:
 * openssl s_client, curl and python's ssl module.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { curlWithCa, makeTestPki, startTestMmsc, type TestPki, requireSystem } from '@openmmsc/testkit';
import mm7 from '../src/index.js';
import { PASSWORD, startHarness, type Mm7Harness } from './helpers.js';
import { answerFields, soapSubmit } from './raw-http.js';

const run = promisify(execFile);

describe('MM7 over HTTPS with client certificates per VASP', { skip: requireSystem('openssl', 'curl', 'python3') }, () => {
  let pki: TestPki;
  let h: Mm7Harness;
  let port = 0;
  let submitFile = '';

  before(async () => {
    pki = await makeTestPki(['acme', 'other']);
    h = await startHarness({
      account: { clientCertificate: { subject: 'acme' } },
      accounts: [
        { id: 'other', password: 'other-secret', shortCodes: ['22222'], clientCertificate: { subject: 'other' } },
        { id: 'plain', password: 'plain-secret', shortCodes: ['33333'] },
      ],
      plugin: { tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true } },
      config: { shutdown: { retrievalGrace: 0 } },
    });
    assert.match(h.base, /^https:\/\//);
    port = Number(new URL(h.base).port);
    submitFile = join(pki.dir, 'submit.xml');
    await writeFile(submitFile, soapSubmit({ vaspId: 'acme', transactionId: 'tls-1' }));
  });
  after(async () => {
    await h?.stop();
    await pki?.remove();
  });

  /** curl as a VASP: status and body. */
  const curl = (args: string[]) => curlWithCa(pki.ca, args);
  const soap = (user: string, password: string, cert?: { cert: string; key: string }, file = submitFile) => [
    ...(cert ? ['--cert', cert.cert, '--key', cert.key] : []),
    '-u', `${user}:${password}`,
    '-H', 'Content-Type: text/xml; charset=utf-8',
    '--data-binary', `@${file}`,
    `https://127.0.0.1:${port}/mm7`,
  ];

  it('openssl s_client: the chain verifies against the CA and the server asks for a client certificate', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('openssl', ['s_client', '-ign_eof', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.ca, '-cert', pki.clients.acme!.cert, '-key', pki.clients.acme!.key], { stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(text));
      child.stdin.end('GET /api/v1/openapi.yaml HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      setTimeout(() => child.kill(), 5000).unref();
    });
    assert.match(out, /Verify return code: 0 \(ok\)/);
    assert.match(out, /Acceptable client certificate CA names\s*\n\s*CN ?= ?OpenMMSC Test CA/);
    assert.match(out, /HTTP\/1\.1 200 /);
  });

  it('curl: a VASP with its own certificate submits (1000)', async () => {
    const r = await curl(soap('acme', PASSWORD, pki.clients.acme));
    assert.equal(r.status, 200, r.body);
    assert.equal(answerFields(r.body).code, 1000);
  });

  it('curl: the right password with another VASP\'s certificate, none, or a look-alike from no known CA is refused (4001, 403)', async () => {
    const rogue = await pki.rogue('acme');
    for (const cert of [pki.clients.other, undefined, rogue]) {
      const r = await curl(soap('acme', PASSWORD, cert));
      assert.equal(r.status, 403, r.body);
      const f = answerFields(r.body);
      assert.equal(f.code, 4001);
      assert.equal(f.transactionId, 'tls-1');
      assert.match(r.body, /must present its own TLS client certificate/);
    }
  });

  it('curl: a VASP not held to a certificate still uses HTTPS with Basic credentials alone', async () => {
    const file = join(pki.dir, 'plain.xml');
    await writeFile(file, soapSubmit({ vaspId: 'plain', transactionId: 'tls-plain' }).replace('tx-raw-1', 'tls-plain'));
    const r = await curl(soap('plain', 'plain-secret', undefined, file));
    assert.equal(r.status, 200, r.body);
    assert.equal(answerFields(r.body).code, 1000);
  });

  it('python ssl: the JSON API with the account\'s own certificate, and refused with another\'s', async () => {
    const script = `
import base64, http.client, json, ssl, sys
port, ca, cert, key, user, password = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
conn = http.client.HTTPSConnection('localhost', int(port), context=ctx)
auth = base64.b64encode(f'{user}:{password}'.encode()).decode()
body = json.dumps({'to': ['+15550000002'], 'text': 'over TLS'})
conn.request('POST', '/api/v1/messages', body, {'Content-Type': 'application/json', 'Authorization': 'Basic ' + auth})
res = conn.getresponse()
print(res.status, conn.sock.version(), res.read().decode())
`;
    const py = (cert: { cert: string; key: string }) => run('python3', ['-c', script, String(port), pki.ca, cert.cert, cert.key, 'other', 'other-secret']).then((r) => r.stdout);
    const own = await py(pki.clients.other!);
    assert.match(own, /^202 TLSv1\.[23] /);
    const borrowed = await py(pki.clients.acme!);
    assert.match(borrowed, /^403 .*certificate-required/);
  });

  it('refuses a configuration that holds a VASP to a certificate the server never asks for', async () => {
    await assert.rejects(
      startTestMmsc({ plugins: [{ plugin: mm7, options: { port: 0, vasps: [{ id: 'x', password: 'p', clientCertificate: { subject: 'x' } }] } }] }),
      /VASPs x must present a client certificate, but the server does not ask for one/,
    );
  });
});
