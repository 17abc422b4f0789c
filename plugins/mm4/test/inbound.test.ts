import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { expectedFor, readCorpus } from '@openmmsc/conformance';
import { recordingPushBearer, requireSystem, startTestMmsc, systemCommand, waitFor, type TestMmsc } from '@openmmsc/testkit';
import mm5 from '@openmmsc/plugin-mm5';
import mm4, { mm4Port } from '../src/index.js';
import { DOMAIN_A, DOMAIN_B } from './helpers.js';


function selfSigned(dir: string, cn: string): { key: string; cert: string } {
  const key = join(dir, `${cn}.key`);
  const cert = join(dir, `${cn}.crt`);
  execFileSync(systemCommand('openssl', 'openssl'), ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-days', '2', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

interface SendOpts {
  from?: string;
  to: string[];
  raw: string | Buffer;
  localAddress?: string;
  auth?: { user: string; pass: string };
  tls?: { cert: string; key: string };
  requireTLS?: boolean;
}

describe('MM4 inbound: who may send, and what', { skip: requireSystem('openssl') }, () => {
  let t: TestMmsc;
  let port = 0;
  const push = recordingPushBearer();
  let dir = '';
  let client: { key: string; cert: string };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mm4-tls-'));
    const server = selfSigned(dir, DOMAIN_B);
    client = selfSigned(dir, 'peer-tls');
    t = await startTestMmsc({
      plugins: [
        { plugin: mm5, options: { resolvers: [{ type: 'local', prefixes: ['+1666', '+1202'] }], unmatched: 'reject' } },
        {
          plugin: mm4,
          options: {
            domain: DOMAIN_B,
            server: { host: '127.0.0.1', port: 0, maxMessageSize: 20_000, tls: { key: server.key, cert: server.cert, ca: client.cert, requestCert: true } },
            peers: [
              { domain: DOMAIN_A, host: '127.0.0.1', port: 9, addresses: ['127.0.0.2'] },
              // Its subscribers appear as bare numbers (`From: +12025550100`): trusted only in its range.
              { domain: 'mmsc.example.net', host: '127.0.0.1', port: 9, addresses: ['127.0.0.4/32'], originators: { numbers: ['+1202555'] } },
              { domain: 'auth.example', host: '127.0.0.1', port: 9, inboundAuth: { user: 'auth-peer', pass: 's3cret' } },
              { domain: 'tls.example', host: '127.0.0.1', port: 9, addresses: ['127.0.0.6'], requireInboundTls: true, clientCertificate: { subject: 'peer-tls' } },
            ],
          },
        },
        push.plugin,
      ],
    });
    port = mm4Port(t.mmsc)!;
  });
  after(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function send(o: SendOpts): Promise<{ ok: true; response: string } | { ok: false; code: number | undefined; response: string }> {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      ignoreTLS: !o.tls && !o.requireTLS,
      requireTLS: o.requireTLS ?? false,
      tls: { rejectUnauthorized: false, ...(o.tls ?? {}) },
      ...(o.auth ? { auth: o.auth } : {}),
      connectionTimeout: 3000,
      greetingTimeout: 3000,
    });
    try {
      const info = await transport.sendMail({ envelope: { from: o.from ?? `system-user@${DOMAIN_A}`, to: o.to }, raw: o.raw });
      return { ok: true, response: info.response };
    } catch (error) {
      const e = error as { responseCode?: number; response?: string; message: string };
      return { ok: false, code: e.responseCode, response: e.response ?? e.message };
    } finally {
      transport.close();
    }
  }

  /** An MM4_forward.REQ from a subscriber of the peer `origin`. */
  const forward = (extra = '', origin = DOMAIN_A) =>
    [
      'From: +15550000001/TYPE=PLMN@' + origin,
      'To: +16660000001/TYPE=PLMN@' + DOMAIN_B,
      'X-Mms-3GPP-MMS-Version: 6.3.0',
      'X-Mms-Message-Type: MM4_forward.REQ',
      'X-Mms-Transaction-ID: t-1',
      `X-Mms-Message-ID: m-${Math.random().toString(36).slice(2)}`,
      'X-Mms-Originator-System: system-user@' + origin,
      'Subject: test',
      extra,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'hello',
      '',
    ]
      .filter((l, i, all) => l !== '' || i >= all.indexOf('Content-Type: text/plain; charset=utf-8'))
      .join('\r\n');

  it('accepts a configured peer by its address', async () => {
    const r = await send({ localAddress: '127.0.0.2', to: [`+16660000001/TYPE=PLMN@${DOMAIN_B}`], raw: forward() });
    assert.ok(r.ok, r.response);
    assert.match(r.response, /^250 /);
    await waitFor('the subscriber is notified', () => push.pushes.find((p) => p.to.value === '+16660000001'));
  });

  it('refuses a stranger at connect time, and a peer claiming another domain', async () => {
    const stranger = await send({ localAddress: '127.0.0.9', to: [`+16660000001/TYPE=PLMN@${DOMAIN_B}`], raw: forward() });
    assert.equal(stranger.ok, false);
    // 127.0.0.9 is in no peer's list; only the AUTH peer (any address) lets it say EHLO, and MAIL FROM needs its login.
    assert.match(stranger.response, /554.*not a configured MM4 peer|530/);
    const spoof = await send({ localAddress: '127.0.0.2', from: 'system-user@evil.example', to: [`+16660000001/TYPE=PLMN@${DOMAIN_B}`], raw: forward() });
    assert.equal(spoof.ok, false);
    assert.equal(spoof.code, 550);
  });

  it('never relays for a domain that is not ours', async () => {
    const r = await send({ localAddress: '127.0.0.2', to: ['+17770000001/TYPE=PLMN@mms.other.example'], raw: forward() });
    assert.equal(r.ok, false);
    assert.match(r.response, /550.*relaying denied/);
  });

  it('SMTP AUTH identifies a peer that may connect from anywhere', async () => {
    const wrong = await send({ localAddress: '127.0.0.7', from: 'system-user@auth.example', auth: { user: 'auth-peer', pass: 'nope' }, requireTLS: true, to: [`+16660000002/TYPE=PLMN@${DOMAIN_B}`], raw: forward('', 'auth.example') });
    assert.equal(wrong.ok, false);
    assert.equal(wrong.code, 535);
    const right = await send({ localAddress: '127.0.0.7', from: 'system-user@auth.example', auth: { user: 'auth-peer', pass: 's3cret' }, requireTLS: true, to: [`+16660000002/TYPE=PLMN@${DOMAIN_B}`], raw: forward('', 'auth.example') });
    assert.ok(right.ok, right.response);
  });

  it('a TLS client certificate identifies a peer; without it the peer is refused', async () => {
    const plain = await send({ localAddress: '127.0.0.6', from: 'system-user@tls.example', to: [`+16660000003/TYPE=PLMN@${DOMAIN_B}`], raw: forward('', 'tls.example') });
    assert.equal(plain.ok, false);
    assert.equal(plain.code, 530);
    const withCert = await send({ localAddress: '127.0.0.6', from: 'system-user@tls.example', requireTLS: true, tls: client, to: [`+16660000003/TYPE=PLMN@${DOMAIN_B}`], raw: forward('', 'tls.example') });
    assert.ok(withCert.ok, withCert.response);
  });

  it('answers malformed MIME, non-MM4 mail and oversize messages with SMTP errors', async () => {
    const malformed = await send({
      localAddress: '127.0.0.2',
      to: [`+16660000001/TYPE=PLMN@${DOMAIN_B}`],
      raw: 'X-Mms-Message-Type: MM4_forward.REQ\r\nFrom: +15550000001/TYPE=PLMN@' + DOMAIN_A + '\r\nContent-Type: multipart/related\r\n\r\nno boundary\r\n',
    });
    assert.equal(malformed.ok, false);
    assert.match(malformed.response, /554 5\.6\.0 malformed MIME/);
    const plainMail = await send({ localAddress: '127.0.0.2', to: [`+16660000001/TYPE=PLMN@${DOMAIN_B}`], raw: 'From: a@b.example\r\nSubject: hi\r\n\r\nhello\r\n' });
    assert.equal(plainMail.ok, false);
    assert.match(plainMail.response, /554 5\.6\.0 not an MM4 message/);
    const big = await send({ localAddress: '127.0.0.2', to: [`+16660000001/TYPE=PLMN@${DOMAIN_B}`], raw: forward().replace('hello', 'x'.repeat(30_000)) });
    assert.equal(big.ok, false);
    assert.equal(big.code, 552);
  });

  it('limits simultaneous connections per peer (maxConnections) at connect', async () => {
    const open = async () => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
      const lines: string[] = [];
      let buffer = '';
      socket.on('data', (d: Buffer) => {
        buffer += d.toString();
        const parts = buffer.split('\r\n');
        buffer = parts.pop() ?? '';
        lines.push(...parts);
      });
      const reply = async (n: number) => waitFor('an SMTP reply', () => lines.length >= n && lines[n - 1]!, { timeoutMs: 3000 });
      const greeting = await reply(1);
      // Over the peer's cap the connection is refused in the greeting, before any command.
      if (!greeting.startsWith('220')) return { socket, answer: greeting };
      socket.write('HELO peer\r\n');
      await reply(2);
      socket.write(`MAIL FROM:<system-user@${DOMAIN_A}>\r\n`);
      return { socket, answer: await reply(3) };
    };
    const sessions = [await open(), await open(), await open()];
    try {
      assert.match(sessions[0]!.answer, /^250/);
      assert.match(sessions[1]!.answer, /^250/);
      assert.match(sessions[2]!.answer, /^421 4\.7\.0 too many connections from /);
    } finally {
      for (const s of sessions) s.socket.destroy();
    }
  });

  it('accepts the conformance corpus MM4 messages (LF line ends, bare numbers, no Date)', async () => {
    const envelopeTo = { 'forward_req.eml': '+12025550171/TYPE=PLMN@' + DOMAIN_B, 'delivery_report_req.eml': `system-user@${DOMAIN_B}`, 'read_reply_report_req.eml': `system-user@${DOMAIN_B}` };
    for (const [name, rcpt] of Object.entries(envelopeTo)) {
      const raw = readCorpus(`openmmsc/mm4/${name}`);
      const r = await send({ localAddress: '127.0.0.4', from: 'system-user@mmsc.example.net', to: [rcpt], raw });
      assert.ok(r.ok, `${name}: ${r.response}`);
    }
    const a = expectedFor<{ asserted: { from: string; to: string[]; subject: string; message_id: string; transaction_id: string; 'parts[0]': { content_id: string; data: string } } }>('openmmsc/mm4/forward_req.eml')!.asserted;
    const notice = await waitFor('the corpus forward reaches its recipient', () => push.pushes.find((p) => p.to.value === a.to[0]));
    const message = await t.mmsc.getMessage(notice.notification.messageId);
    assert.equal(message?.headers.from.value, a.from);
    assert.equal(message?.headers.subject?.text, a.subject);
    assert.equal(message?.origin.attributes?.messageId, a.message_id);
    assert.equal(message?.origin.attributes?.transactionId, a.transaction_id);
    const parts = await t.mmsc.getParts(notice.notification.messageId);
    assert.equal(parts?.length, 1);
    assert.equal(Buffer.from(parts![0]!.data).toString(), a['parts[0]'].data);
    // The corpus records the header as written (`<t1>`); the kernel keeps Content-IDs bare.
    assert.equal(parts![0]!.contentId, String(a['parts[0]'].content_id).replace(/^<(.*)>$/, '$1'));
  });
});
