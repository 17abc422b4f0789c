/** The listener as a client on a raw socket meets it: allow-list, relaying, limits, replies, stop. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdmissionDecision } from '@openmmsc/core';
import { PeerAllowList, SmtpReply, deferredReply, rejectedReply, type ReceivedMail } from '../src/index.js';
import { startListener } from './fixture.js';
import { RawSmtp, dialogue } from './raw-client.js';

const MAIL = 'Subject: hi\r\n\r\nhello\r\n';

describe('SmtpListener', () => {
  it('lets in only listed addresses and tells the others why, at connect', async () => {
    const peers = new PeerAllowList([{ name: 'relay', addresses: ['127.0.0.2/32'], maxConnections: 5, config: 'relay' }]);
    const s = await startListener({ peers: peers.guarded() }, { connect: (remote) => (peers.listed(remote) ? undefined : new SmtpReply(554, '5.7.1 this address may not send mail here')) });
    try {
      const stranger = await dialogue(s.port, { from: 'a@x.test', to: ['1@ours.test'], data: MAIL, localAddress: '127.0.0.9' });
      assert.deepEqual(stranger, ['554 5.7.1 this address may not send mail here']);
      const relay = await dialogue(s.port, { from: 'a@x.test', to: ['1@ours.test'], data: MAIL, localAddress: '127.0.0.2' });
      assert.match(relay[0]!, /^220 mx\.ours\.test/);
      assert.match(relay.at(-2)!, /^250 2\.0\.0 took \d+ bytes/);
    } finally {
      await s.stop();
    }
  });

  it('refuses relaying, too many recipients, and what the plugin refuses, per recipient', async () => {
    const s = await startListener({ maxRecipients: 2 }, { rcptTo: (address) => (address.startsWith('0') ? new SmtpReply(550, `5.1.1 <${address}>: not a phone number`) : undefined) });
    try {
      const c = await RawSmtp.open(s.port);
      await c.reply();
      await c.command('EHLO client.test');
      assert.match(await c.command('MAIL FROM:<a@x.test>'), /^250/);
      assert.equal(await c.command('RCPT TO:<1@elsewhere.test>'), '550 5.7.1 relaying denied: elsewhere.test is not served here');
      assert.equal(await c.command('RCPT TO:<0@ours.test>'), '550 5.1.1 <0@ours.test>: not a phone number');
      assert.match(await c.command('RCPT TO:<1@OURS.test>'), /^250/, 'domains compare case-insensitively');
      assert.match(await c.command('RCPT TO:<2@ours.test>'), /^250/);
      assert.equal(await c.command('RCPT TO:<3@ours.test>'), '452 4.5.3 too many recipients');
      c.close();
    } finally {
      await s.stop();
    }
  });

  it('announces SIZE, answers an oversize message 552 5.3.4 and keeps no more than the limit of it', async () => {
    const over: Array<ReceivedMail<unknown>> = [];
    let delivered = 0;
    const s = await startListener({ maxMessageSize: 2000 }, { oversize: (mail) => over.push(mail), message: async () => `2.0.0 ok ${++delivered}` });
    try {
      const big = `Subject: big\r\n\r\n${'x'.repeat(70).concat('\r\n').repeat(400)}`;
      const replies = await dialogue(s.port, { from: 'a@x.test', to: ['1@ours.test'], data: big });
      assert.match(replies[1]!, /^250[- ]SIZE 2000$/m);
      assert.equal(replies.at(-2), '552 5.3.4 message exceeds the size limit of 2000 bytes');
      assert.equal(delivered, 0, 'the message hook never saw it');
      assert.equal(over.length, 1);
      assert.equal(over[0]!.raw.length, 2000, 'the first 2000 bytes are kept (for a bounce), no more');
      assert.match(over[0]!.raw.toString(), /^Subject: big\r\n\r\nxxx/);
      assert.deepEqual(over[0]!.rcptTo, ['1@ours.test']);
      assert.match((await dialogue(s.port, { from: 'a@x.test', to: ['1@ours.test'], data: MAIL })).at(-2)!, /^250 2\.0\.0 ok 1/);
    } finally {
      await s.stop();
    }
  });

  it('keeps every byte of a message whether its SIZE was declared exactly, too large, too small or not at all', async () => {
    const got: Buffer[] = [];
    const s = await startListener({ maxMessageSize: 200_000 }, { message: async (mail) => (got.push(mail.raw), '2.0.0 ok') });
    try {
      // 150 KB in many socket chunks, dot-stuffed lines included.
      const body = `Subject: sized\r\n\r\n${Array.from({ length: 2000 }, (_, i) => `${i % 7 === 0 ? '.' : ''}line ${i} ${'y'.repeat(60)}`).join('\r\n')}`;
      // The line end before the final "." belongs to the message.
      const expected = Buffer.from(`${body}\r\n`);
      for (const size of [expected.length, expected.length + 5000, 10_000, 0, undefined]) {
        const replies = await dialogue(s.port, { from: 'a@x.test', to: ['1@ours.test'], data: body, ...(size !== undefined ? { size } : {}) });
        assert.match(replies.at(-2)!, /^250 2\.0\.0 ok/, `SIZE=${size}`);
        const raw = got.at(-1)!;
        assert.equal(raw.length, expected.length, `SIZE=${size}`);
        assert.ok(raw.equals(expected), `SIZE=${size}: the content as sent`);
        assert.ok(raw.buffer.byteLength > Buffer.poolSize && raw.byteOffset === 0, `SIZE=${size}: in memory of its own`);
      }
      assert.match((await dialogue(s.port, { from: 'a@x.test', to: ['1@ours.test'], data: body, size: 300_000 })).at(-1)!, /^552 /, 'a declared SIZE over the limit is refused at MAIL FROM');
    } finally {
      await s.stop();
    }
  });

  it('maps the kernel’s refusals and our own failures to replies after DATA', async () => {
    const answers: Array<() => Promise<string>> = [
      () => Promise.reject(rejectedReply({ code: 'service-denied', message: 'relaying denied' })),
      () => Promise.reject(rejectedReply({ code: 'size-exceeded', message: 'too big for MMS' })),
      () => Promise.reject(deferredReply({ code: 'network-problem', message: 'store unavailable' })),
      () => Promise.reject(new Error('boom')),
      () => {
        throw new TypeError('a hook that throws before it returns a promise');
      },
    ];
    const s = await startListener({}, { message: () => answers.shift()!() });
    try {
      const last = async () => (await dialogue(s.port, { from: 'a@x.test', to: ['1@ours.test'], data: MAIL })).at(-2);
      assert.equal(await last(), '550 5.7.1 relaying denied');
      assert.equal(await last(), '552 5.3.4 too big for MMS');
      assert.equal(await last(), '451 4.3.0 store unavailable; try again later');
      assert.equal(await last(), '451 4.3.0 temporary failure; try again later');
      assert.equal(await last(), '451 4.3.0 temporary failure; try again later', 'a synchronous throw is no crash either');
      assert.ok(s.logs.some((l) => l.level === 'error' && /inbound handling failed/.test(l.msg ?? '')), 'an unexpected failure is logged');
    } finally {
      await s.stop();
    }
  });

  it('a hook that throws is a 451, not a crash; one that throws an SmtpReply is that reply', async () => {
    const s = await startListener(
      {},
      {
        mailFrom: (address) => {
          if (address === 'bug@x.test') throw new TypeError('hook bug');
          if (address === 'no@x.test') throw new SmtpReply(550, '5.7.1 not you');
          return undefined;
        },
      },
    );
    try {
      const c = await RawSmtp.open(s.port);
      await c.reply();
      await c.command('EHLO client.test');
      assert.equal(await c.command('MAIL FROM:<bug@x.test>'), '451 4.3.0 temporary failure; try again later');
      assert.equal(await c.command('MAIL FROM:<no@x.test>'), '550 5.7.1 not you');
      assert.match(await c.command('MAIL FROM:<yes@x.test>'), /^250/);
      c.close();
    } finally {
      await s.stop();
    }
  });

  it('answers MAIL FROM 451 4.3.2 while the kernel takes no new work', async () => {
    let refusing = true;
    const admit = (): AdmissionDecision => (refusing ? { ok: false, cause: 'disk-space', reason: { code: 'network-problem', message: 'the MMSC is short of storage' }, retryAfterMs: 1000 } : { ok: true });
    const s = await startListener({ admit });
    try {
      const c = await RawSmtp.open(s.port);
      await c.reply();
      await c.command('EHLO client.test');
      assert.equal(await c.command('MAIL FROM:<a@x.test>'), '451 4.3.2 the MMSC is short of storage');
      refusing = false;
      assert.match(await c.command('MAIL FROM:<a@x.test>'), /^250/);
      c.close();
    } finally {
      await s.stop();
    }
  });

  it('with requireTls, refuses MAIL FROM over plain TCP', async () => {
    const s = await startListener({ requireTls: true });
    try {
      const c = await RawSmtp.open(s.port);
      await c.reply();
      await c.command('EHLO client.test');
      assert.equal(await c.command('MAIL FROM:<a@x.test>'), '530 5.7.0 must issue a STARTTLS command first');
      c.close();
    } finally {
      await s.stop();
    }
  });

  it('on stop, closes idle connections with 421 and lets a message under way finish', async () => {
    const s = await startListener({});
    const idle = await RawSmtp.open(s.port);
    const busy = await RawSmtp.open(s.port);
    await idle.reply();
    await busy.reply();
    await idle.command('EHLO idle.test');
    await busy.command('EHLO busy.test');
    await busy.command('MAIL FROM:<a@x.test>');
    await busy.command('RCPT TO:<1@ours.test>');
    assert.match(await busy.command('DATA'), /^354/);
    busy.write('Subject: half\r\n');
    const stopped = s.stop();
    assert.equal(await idle.reply(), '421 4.3.2 service shutting down');
    assert.match(await busy.command('\r\nthe rest\r\n.'), /^250 2\.0\.0 took/, 'the message under way is taken');
    busy.close();
    await stopped;
    assert.equal(s.listener.listening, false);
  });
});
