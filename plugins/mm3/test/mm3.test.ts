import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import mm1, { mm1Url } from '@openmmsc/plugin-mm1';
import mm5 from '@openmmsc/plugin-mm5';
import { readCorpus } from '@openmmsc/conformance';
import { SimulatedHandset, handsetPushBearer, requireSystem, startSmtpSink, startTestMmsc, systemCommand, waitFor, type SmtpSink, type TestMmsc } from '@openmmsc/testkit';
import mm3, { emailToParts, mm3Options, mm3Port } from '../src/index.js';

const run = promisify(execFile);
const DOMAIN = 'mms.example.net';
const A = '+15550000001';
const B = '+15550000002';
const C = '+15550000003';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a3e9c8a30000000049454e44ae426082', 'hex');

describe('MM3: e-mail in and out', () => {
  let t: TestMmsc;
  let sink: SmtpSink;
  let port = 0;
  let dir = '';
  const direct = handsetPushBearer();
  const phones = new Map<string, SimulatedHandset>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mm3-test-'));
    sink = await startSmtpSink();
    t = await startTestMmsc({
      config: { jobs: { notify: { backoffBase: 50, backoffMax: 500 }, deliver: { backoffBase: 100, backoffMax: 500 }, report: { backoffBase: 100, backoffMax: 500 } } },
      plugins: [
        {
          plugin: mm5,
          options: {
            resolvers: [{ type: 'prefix', routes: [{ prefix: '+1555', target: 'local' }, { prefix: '@example.net', target: 'mm3' }, { prefix: '@refused.example', target: 'mm3' }] }],
            unmatched: 'reject',
          },
        },
        { plugin: mm1, options: { port: 0 } },
        {
          plugin: mm3,
          options: {
            domain: DOMAIN,
            relay: { host: '127.0.0.1', port: sink.port },
            server: { host: '127.0.0.1', port: 0, maxMessageSize: 60_000, allowedSources: ['127.0.0.1/32'] },
            outbound: { footer: 'Sent from OpenMMSC' },
          },
        },
        direct.plugin,
      ],
    });
    port = mm3Port(t.mmsc)!;
    const url = mm1Url(t.mmsc)!;
    for (const [msisdn, mode] of [[A, 'immediate'], [B, 'immediate'], [C, 'reject']] as const) {
      const h = new SimulatedHandset({ msisdn, mmscUrl: `${url}/mms`, mode });
      direct.attach(h);
      phones.set(msisdn, h);
    }
  });
  after(async () => {
    for (const h of phones.values()) await h.close();
    await t.stop();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function smtp(raw: string | Buffer, to: string[], opts: { from?: string; localAddress?: string } = {}) {
    const tr = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}), connectionTimeout: 3000 });
    try {
      const info = await tr.sendMail({ envelope: { from: opts.from ?? 'alice@example.net', to }, raw });
      return { ok: true as const, response: info.response };
    } catch (error) {
      const e = error as { responseCode?: number; response?: string; message: string };
      return { ok: false as const, code: e.responseCode, response: e.response ?? e.message };
    } finally {
      tr.close();
    }
  }

  it('swaks sends real mail with an attachment; the handset retrieves it as an MMS', { skip: requireSystem('swaks') }, async () => {
    const swaks = systemCommand('swaks', 'swaks');
    const file = join(dir, 'photo.png');
    writeFileSync(file, PNG);
    const { stdout } = await run(swaks, [
      '--server', '127.0.0.1', '--port', String(port),
      // swaks (Getopt) reads a leading '+' as an option marker: the digits-only form of the address.
    '--from', 'alice@example.net', '--to', `${B.slice(1)}@${DOMAIN}`,
      '--header', 'Subject: Holiday photo',
      '--body', 'Look at this!',
      '--attach-type', 'image/png', '--attach-name', 'photo.png', '--attach', `@${file}`,
      '--timeout', '10',
    ]);
    assert.match(stdout, /<-\s+250 2\.0\.0 accepted as MMS/);
    const got = await phones.get(B)!.waitForMessage((m) => m.pdu.subject?.text === 'Holiday photo');
    assert.deepEqual(got.texts.map((x) => x.trim()), ['Look at this!']);
    const image = got.parts.find((p) => p.contentType.type === 'image/png');
    assert.ok(image, 'the image is a part of the MMS');
    assert.deepEqual(Buffer.from(image.data), PNG);
    assert.match(got.pdu.from?.address ?? '', /alice@example\.net/);
  });

  it('an MMS to an e-mail address arrives at the SMTP sink as readable MIME', async () => {
    const before = sink.messages.length;
    const sent = await phones.get(A)!.send({
      to: 'bob@example.net',
      subject: 'From my phone',
      text: 'Hi Bob <3',
      attachments: [
        { contentType: 'image/png', data: PNG, name: 'dot.png' },
        { contentType: 'audio/amr', data: Buffer.from('#!AMR\n\x00\x01\x02'), name: 'voice.amr' },
        { contentType: 'application/smil', data: Buffer.from('<smil><body><par><img src="dot.png"/></par></body></smil>'), name: 'pres.smil' },
      ],
    });
    assert.equal(sent.status, 'ok');
    const msg = await waitFor('mail at the sink', () => sink.messages.slice(before).find((m) => m.rcptTo.includes('bob@example.net')));
    assert.equal(msg.mailFrom, `${A}@${DOMAIN}`);
    const raw = msg.raw.toString('latin1');
    if (process.env.MM3_DUMP) writeFileSync(process.env.MM3_DUMP, msg.raw);
    assert.match(raw, /multipart\/alternative/);
    assert.match(raw, /multipart\/related/);
    const mail = await simpleParser(msg.raw, { keepCidLinks: true });
    assert.equal(mail.subject, 'From my phone');
    assert.equal(mail.from?.value[0]?.address, `${A}@${DOMAIN}`);
    assert.match(mail.text ?? '', /Hi Bob <3/);
    assert.match(mail.text ?? '', /Sent from OpenMMSC/);
    assert.ok(typeof mail.html === 'string' && /<img src="cid:[^"]+"/.test(mail.html) && mail.html.includes('Hi Bob &lt;3'));
    const img = mail.attachments.find((x) => x.contentType === 'image/png');
    assert.ok(img?.cid && img.related, 'image inline by cid');
    assert.deepEqual(img.content, PNG);
    const audio = mail.attachments.find((x) => x.contentType === 'audio/amr');
    assert.equal(audio?.filename, 'voice.amr');
    assert.equal(mail.attachments.some((x) => x.contentType === 'application/smil'), false, 'SMIL dropped');
    assert.equal(mail.headers.get('x-mms-message-id'), sent.messageId);
    await waitFor('recipient delivered', async () => (await t.mmsc.getRecipients(sent.messageId!))[0]?.state === 'delivered');
  });

  it('a mail with LF line ends and no Date (conformance corpus) is accepted as mail to a subscriber', async () => {
    const raw = readCorpus('openmmsc/mm3/plain-lf.eml');
    const r = await smtp(raw, [`${B}@${DOMAIN}`], { from: '+15550000009@mmsc.example.org' });
    assert.ok(r.ok, r.response);
    const got = await phones.get(B)!.waitForMessage((m) => m.pdu.subject?.text === 'Hello');
    assert.deepEqual(got.texts.map((x) => x.trim()), ['hello']);
  });

  it('text with a charset, executable attachments stripped', async () => {
    const raw = [
      'From: Zoë <zoe@example.net>',
      `To: ${B}@${DOMAIN}`,
      'Subject: =?iso-8859-1?Q?Gr=FC=DFe?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Sch=F6ne Gr=FC=DFe',
      '--b1',
      'Content-Type: application/octet-stream; name="setup.exe"',
      'Content-Disposition: attachment; filename="setup.exe"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('MZ\x90\x00 this is a program').toString('base64'),
      '--b1--',
      '',
    ].join('\r\n');
    const r = await smtp(raw, [`${B}@${DOMAIN}`]);
    assert.ok(r.ok, r.response);
    const got = await phones.get(B)!.waitForMessage((m) => m.pdu.subject?.text === 'Grüße');
    assert.match(got.texts[0] ?? '', /^Schöne Grüße/);
    assert.match(got.texts[0] ?? '', /setup\.exe removed/);
    assert.equal(got.parts.length, 1);
  });

  it('refuses executables when so configured', async () => {
    const parsed = await simpleParser(
      'Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x\r\nContent-Type: application/x-sh; name=run.sh\r\n\r\n#!/bin/sh\r\n--x--\r\n',
    );
    const options = mm3Options.parse({ domain: DOMAIN, inbound: { executables: 'refuse' } });
    assert.match(emailToParts(parsed, options).refuse ?? '', /run\.sh/);
  });

  it('oversize mail gets SMTP 552 and a bounce to the sender', async () => {
    const before = sink.messages.length;
    const raw = `From: alice@example.net\r\nTo: ${B}@${DOMAIN}\r\nSubject: huge\r\n\r\n${'x'.repeat(70_000)}\r\n`;
    const r = await smtp(raw, [`${B}@${DOMAIN}`]);
    assert.equal(r.ok, false);
    assert.equal(r.ok === false && r.code, 552);
    const bounce = await waitFor('a bounce', () => sink.messages.slice(before).find((m) => m.rcptTo.includes('alice@example.net')));
    assert.equal(bounce.mailFrom, '');
    const raw2 = bounce.raw.toString();
    assert.match(raw2, /multipart\/report; report-type=delivery-status/);
    assert.match(raw2, /Status: 5\.3\.4/);
    assert.match(raw2, new RegExp(`Final-Recipient: rfc822; \\${B}@${DOMAIN.replace(/\./g, '\\.')}`));
  });

  it('only accepts <msisdn>@domain from allowed sources, never relays', async () => {
    const relay = await smtp('Subject: x\r\n\r\nx\r\n', ['someone@elsewhere.example']);
    assert.equal(relay.ok === false && relay.code, 550);
    assert.match(relay.response, /relaying denied/);
    const notNumber = await smtp('Subject: x\r\n\r\nx\r\n', [`bob@${DOMAIN}`]);
    assert.equal(notNumber.ok === false && notNumber.code, 550);
    const stranger = await smtp('Subject: x\r\n\r\nx\r\n', [`${B}@${DOMAIN}`], { localAddress: '127.0.0.9' });
    assert.equal(stranger.ok, false);
    assert.match(stranger.response, /554.*may not send/);
  });

  it('a permanent delivery failure of an e-mailed MMS bounces to the e-mail sender', async () => {
    const before = sink.messages.length;
    const r = await smtp(`From: carol@example.net\r\nTo: ${C}@${DOMAIN}\r\nSubject: to a phone that refuses\r\nMessage-ID: <m1@example.net>\r\n\r\nhello\r\n`, [`${C}@${DOMAIN}`], { from: 'carol@example.net' });
    assert.ok(r.ok, r.response);
    const bounce = await waitFor('a bounce for the refused MMS', () => sink.messages.slice(before).find((m) => m.rcptTo.includes('carol@example.net')), { timeoutMs: 15_000 });
    const text = bounce.raw.toString();
    assert.match(text, /Action: failed/);
    assert.match(text, /In-Reply-To: <m1@example\.net>/);
  });

  it('an MMS to an address the mail system refuses is rejected', async () => {
    const refusing = await startSmtpSink({ rejectRecipients: { code: 550, message: '5.1.1 no such user' } });
    const t2 = await startTestMmsc({
      plugins: [
        { plugin: mm5, options: { resolvers: [{ type: 'prefix', routes: [{ prefix: '@example.net', target: 'mm3' }] }] } },
        { plugin: mm3, options: { domain: DOMAIN, relay: { host: '127.0.0.1', port: refusing.port }, server: { enabled: false } } },
      ],
    });
    try {
      const sent = await t2.mmsc.submit({
        message: {
          headers: { from: t2.mmsc.parseAddress(A), to: [t2.mmsc.parseAddress('nobody@example.net')], cc: [], bcc: [], contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} } },
          parts: [{ contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: Buffer.from('x') }],
        },
        origin: { interface: 'api' },
      });
      const r = await waitFor('rejected', async () => {
        const [x] = await t2.mmsc.getRecipients(sent.messageId);
        return x?.state === 'rejected' && x;
      });
      assert.match(r.history.at(-1)?.reason ?? '', /no such user/);
    } finally {
      await t2.stop();
      await refusing.stop();
    }
  });
});
