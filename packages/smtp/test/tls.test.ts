/** STARTTLS as clients outside the project do it: node's tls on a raw socket, and openssl s_client. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { makeTestPki, requireSystem, systemCommand, type TestPki } from '@openmmsc/testkit';
import type { SmtpSession } from '../src/index.js';
import { startListener } from './fixture.js';
import { RawSmtp } from './raw-client.js';

const plain = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`).toString('base64');

describe('SmtpListener over STARTTLS', { skip: requireSystem('openssl') }, () => {
  let pki: TestPki;
  before(async () => {
    pki = await makeTestPki(['peer-a']);
  });
  after(async () => {
    await pki?.remove();
  });

  const tls = () => ({ key: pki.server.key, cert: pki.server.cert, ca: pki.ca, requestCert: true });

  it('upgrades, then takes AUTH, and shows the hooks who logged in and which certificate they presented', async () => {
    const seen: Array<{ secure: boolean; user: string | undefined; certificate: SmtpSession<unknown>['certificate'] }> = [];
    const s = await startListener(
      { tls: tls() },
      {
        login: (user, pass) => {
          if (user === 'bug') throw new TypeError('login hook bug');
          return user === 'peer-a' && pass === 'secret' ? 'peer-a' : undefined;
        },
        mailFrom: (_address, session) => {
          seen.push({ secure: session.secure, user: session.user, certificate: session.certificate });
          return undefined;
        },
      },
    );
    try {
      const c = await RawSmtp.open(s.port);
      await c.reply();
      assert.match(await c.command('EHLO client.test'), /^250[- ]STARTTLS$/m);
      assert.match(await c.command('STARTTLS'), /^220 /);
      const client = pki.clients['peer-a']!;
      const socket = await c.startTls({ ca: readFileSync(pki.ca), servername: 'localhost', cert: readFileSync(client.cert), key: readFileSync(client.key) });
      assert.equal(socket.authorized, true, 'the server’s certificate verifies against the CA');
      const ehlo = await c.command('EHLO client.test');
      assert.match(ehlo, /^250[- ]AUTH .*PLAIN/m);
      assert.doesNotMatch(ehlo, /STARTTLS/);
      assert.equal(await c.command(`AUTH PLAIN ${plain('peer-a', 'wrong')}`), '535 5.7.8 authentication failed');
      assert.equal(await c.command(`AUTH PLAIN ${plain('bug', 'x')}`), '451 4.3.0 temporary failure; try again later', 'a login hook that throws is no crash');
      assert.match(await c.command(`AUTH PLAIN ${plain('peer-a', 'secret')}`), /^235 /);
      assert.match(await c.command('MAIL FROM:<a@x.test>'), /^250/);
      assert.match(await c.command('RCPT TO:<1@ours.test>'), /^250/);
      assert.match(await c.command('DATA'), /^354/);
      assert.match(await c.command('Subject: over TLS\r\n\r\nhello\r\n.'), /^250 2\.0\.0 took/);
      c.close();
      const expected = new X509Certificate(readFileSync(client.cert)).fingerprint256;
      assert.deepEqual(seen, [{ secure: true, user: 'peer-a', certificate: { subject: 'peer-a', fingerprint256: expected, authorized: true } }]);
      assert.ok(s.logs.some((l) => /login failed/.test(l.msg ?? '')), 'the failed login is logged');
    } finally {
      await s.stop();
    }
  });

  it('tells a certificate no configured CA signed from one it did', async () => {
    const seen: Array<SmtpSession<unknown>['certificate']> = [];
    const s = await startListener({ tls: tls(), requireTls: true }, { mailFrom: (_a, session) => void seen.push(session.certificate) });
    try {
      const rogue = await pki.rogue('peer-a');
      const c = await RawSmtp.open(s.port);
      await c.reply();
      await c.command('EHLO client.test');
      assert.equal(await c.command('MAIL FROM:<a@x.test>'), '530 5.7.0 must issue a STARTTLS command first');
      await c.command('STARTTLS');
      await c.startTls({ ca: readFileSync(pki.ca), servername: 'localhost', cert: readFileSync(rogue.cert), key: readFileSync(rogue.key) });
      await c.command('EHLO client.test');
      assert.match(await c.command('MAIL FROM:<a@x.test>'), /^250/, 'over TLS, MAIL FROM is taken');
      c.close();
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.subject, 'peer-a');
      assert.equal(seen[0]?.authorized, false);
    } finally {
      await s.stop();
    }
  });

  it('openssl s_client negotiates STARTTLS and verifies the chain', async () => {
    const s = await startListener({ tls: { key: pki.server.key, cert: pki.server.cert } });
    try {
      const out = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
        const child = execFile(
          systemCommand('openssl', 'openssl'),
          ['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-CAfile', pki.ca, '-verify_return_error', '-crlf', '-brief', '-ign_eof'],
          { timeout: 10_000 },
          (error, stdout, stderr) => (error && !stdout ? reject(error) : resolve({ stdout, stderr })),
        );
        child.stdin?.end('EHLO openssl.test\nQUIT\n');
      });
      assert.match(out.stderr, /Verification: OK/);
      assert.match(out.stdout, /^250[- ]mx\.ours\.test/m, 'EHLO answered over TLS');
      assert.match(out.stdout, /^221 /m);
    } finally {
      await s.stop();
    }
  });

  it('offers no STARTTLS without a key and certificate', async () => {
    const s = await startListener({});
    try {
      const c = await RawSmtp.open(s.port);
      await c.reply();
      assert.doesNotMatch(await c.command('EHLO client.test'), /STARTTLS/);
      assert.match(await c.command('STARTTLS'), /^5\d\d /);
      c.close();
    } finally {
      await s.stop();
    }
  });
});
