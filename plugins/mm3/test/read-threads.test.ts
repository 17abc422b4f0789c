import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { base64Lines, rawMail, recordingPushBearer, routeAllTo, sendSmtp, startTestMmsc, suiteFixture, waitFor, killThreadsMidCall, loseThreadsMidCall } from '@openmmsc/testkit';
import mm3, { mm3Options, mm3Port } from '../src/index.js';
import { MailReader, OFF_THREAD_MIN_BYTES } from '../src/reading/mail-reader.js';
import { readMail } from '../src/reading/mail-reading.js';

const DOMAIN = 'mms.example.net';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A mail with a JPEG attachment as base64, written by hand as a mail client would. */
function mailWith(to: string, image: Buffer, subject = 'photo'): string {
  return rawMail(
    ['From: Alice <alice@example.org>', `To: ${to}@${DOMAIN}`, `Subject: ${subject}`, 'Message-ID: <p-1@example.org>'],
    [
      { headers: ['Content-Type: text/plain; charset=utf-8'], body: 'a photo for you' },
      { headers: ['Content-Type: image/jpeg; name="p.jpg"', 'Content-Disposition: attachment; filename="p.jpg"', 'Content-Transfer-Encoding: base64'], body: base64Lines(image) },
    ],
  );
}

describe('MailReader', () => {
  const options = mm3Options.parse({ domain: DOMAIN });
  const readers: MailReader[] = [];
  after(() => Promise.all(readers.map((r) => r.close())));

  it('reads a large mail on its thread as the loop would, taking over the mail\'s memory', async () => {
    const reader = await MailReader.start(options, 1);
    readers.push(reader);
    const image = randomBytes(200_000);
    const raw = Buffer.concat([Buffer.from(mailWith('+15550000001', image))]);
    assert.ok(raw.length >= OFF_THREAD_MIN_BYTES);
    const inline = await readMail(Buffer.from(raw), options);
    const viaThread = await reader.read(raw);
    assert.equal(raw.buffer.byteLength, 0, 'the mail moved to the thread (so it was read there)');
    assert.ok('reading' in inline && 'reading' in viaThread);
    const summary = (o: typeof inline) => ('reading' in o ? { ...o.reading, converted: { ...o.reading.converted, parts: o.reading.converted.parts.map((p) => ({ ...p, data: sha(p.data) })) } } : o);
    assert.deepEqual(summary(viaThread), summary(inline));
    assert.ok(viaThread.reading.converted.parts.every((p) => Buffer.isBuffer(p.data)));
    assert.ok(viaThread.reading.converted.parts.some((p) => sha(p.data) === sha(image)));
  });

  it('a large mail cut short is unreadable for the same reason as on the loop', async () => {
    const reader = await MailReader.start(options, 1);
    readers.push(reader);
    const whole = mailWith('+15550000001', randomBytes(200_000));
    const cut = whole.slice(0, whole.length - 40_000);
    const inline = await readMail(Buffer.from(cut), options);
    assert.ok('unreadable' in inline);
    assert.deepEqual(await reader.read(Buffer.concat([Buffer.from(cut)])), inline);
  });
});

for (const threads of [1, 0]) {
  describe(`MM3 inbound with decodeThreads ${threads}: large mail stored byte for byte, broken mail refused`, () => {
    const push = recordingPushBearer();
    const h = suiteFixture(async () => {
      const t = await startTestMmsc({
        plugins: [routeAllTo('local'), push.plugin, { plugin: mm3, options: { domain: DOMAIN, decodeThreads: threads, relay: { host: '127.0.0.1', port: 9 }, server: { host: '127.0.0.1', port: 0, maxMessageSize: 1_000_000, allowedSources: ['127.0.0.1/32'] } } }],
      });
      return { t, port: mm3Port(t.mmsc)!, async stop() { await t.stop(); } };
    });
    // A mail server written from RFC 5321, not with the SMTP libraries the MMSC uses.
    const send = (to: string, data: string) => sendSmtp({ port: h.port, mailFrom: 'alice@example.org', rcptTo: [`${to}@${DOMAIN}`], data, declareSize: true });

    it('three mails of ≈270 KB at once each become an MMS with their own photo', async () => {
      const photos = Array.from({ length: 3 }, () => randomBytes(200_000));
      const to = (i: number) => `+1555000${threads}${String(i).padStart(3, '0')}`;
      const answers = await Promise.all(photos.map((p, i) => send(to(i), mailWith(to(i), p))));
      for (const a of answers) assert.match(a.data, /^250 /);
      for (const [i, photo] of photos.entries()) {
        const pushed = await waitFor(`recipient ${i} notified`, () => push.pushes.find((p) => p.to.value === to(i)));
        const parts = await h.t.mmsc.getParts(pushed.notification.messageId);
        assert.ok(parts!.some((p) => sha(p.data) === sha(photo)), `message ${i} holds its own photo`);
      }
    });

    it('a ≈270 KB mail cut inside its attachment → 554 5.6.0, nothing sent on', async () => {
      const to = `+1555000${threads}999`;
      const whole = mailWith(to, randomBytes(200_000));
      const r = await send(to, whole.slice(0, whole.length - 40_000));
      assert.match(r.data, /^554 5\.6\.0 malformed MIME/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(push.pushes.some((p) => p.to.value === to), false);
    });

    if (threads > 0) {
      it('a mail whose thread is killed under it → 451 4.3.0; sent again, it is read by the thread started in its place', async () => {
        const to = `+1555000${threads}555`;
        const photo = randomBytes(200_000);
        const raw = mailWith(to, photo);
        killThreadsMidCall(1);
        assert.match((await send(to, raw)).data, /^451 4\.3\.0 /);
        // The pool had one thread, and it is gone: only a new one can read this.
        assert.match((await send(to, raw)).data, /^250 /);
        const pushed = await waitFor('recipient notified', () => push.pushes.find((p) => p.to.value === to));
        const parts = await h.t.mmsc.getParts(pushed.notification.messageId);
        assert.ok(parts!.some((p) => sha(p.data) === sha(photo)), 'the photo stored as sent');
      });
    }

    // Last: the reading pool stays closed after it.
    if (threads > 0) {
      it('a mail whose reading thread is lost → 451 4.3.0 (the sender tries again), nothing sent on', async () => {
        const undo = loseThreadsMidCall();
        try {
          const to = `+1555000${threads}777`;
          const r = await send(to, mailWith(to, randomBytes(200_000)));
          assert.match(r.data, /^451 4\.3\.0 /);
          await new Promise((resolve) => setTimeout(resolve, 200));
          assert.equal(push.pushes.some((p) => p.to.value === to), false);
        } finally {
          undo();
        }
      });
    }
  });
}
