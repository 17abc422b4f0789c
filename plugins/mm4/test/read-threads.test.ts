import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { MimeError } from '@openmmsc/mime';
import mm5 from '@openmmsc/plugin-mm5';
import { base64Lines, rawMail, recordingPushBearer, sendSmtp, startTestMmsc, suiteFixture, waitFor, killThreadsMidCall, loseThreadsMidCall } from '@openmmsc/testkit';
import { ContentReader, OFF_THREAD_MIN_BYTES } from '../src/content-reading/content-reader.js';
import mm4, { mm4Port } from '../src/index.js';
import { parseContent, parseHead } from '../src/mime.js';
import { DOMAIN_A, DOMAIN_B } from './helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** An MM4_forward.REQ with a JPEG as base64, written by hand as a peer MMSC's mailer would. */
function forward(tx: string, to: string, image: Buffer): string {
  return rawMail(
    [
      `From: +15550000001/TYPE=PLMN@${DOMAIN_A}`,
      `To: ${to}/TYPE=PLMN@${DOMAIN_B}`,
      'X-Mms-3GPP-MMS-Version: 6.3.0',
      'X-Mms-Message-Type: MM4_forward.REQ',
      `X-Mms-Transaction-ID: ${tx}`,
      `X-Mms-Message-ID: m-${tx}`,
      `X-Mms-Originator-System: system-user@${DOMAIN_A}`,
      'Subject: photo',
    ],
    [
      { headers: ['Content-Type: text/plain; charset=utf-8'], body: 'a photo' },
      { headers: ['Content-Type: image/jpeg', 'Content-ID: <photo>', 'Content-Transfer-Encoding: base64'], body: base64Lines(image) },
    ],
  );
}

describe('ContentReader', () => {
  const readers: ContentReader[] = [];
  after(async () => {
    for (const r of readers) await r.close();
  });

  it('reads a large message on its thread as the loop would, taking over the message\'s own memory', async () => {
    const reader = await ContentReader.start(1);
    readers.push(reader);
    const image = randomBytes(200_000);
    const raw = Buffer.concat([Buffer.from(forward('r-1', '+16660000001', image))]);
    const inline = parseContent(parseHead(Buffer.from(raw)));
    const head = parseHead(raw);
    assert.ok(head.body.length >= OFF_THREAD_MIN_BYTES);
    const viaThread = await reader.read(head, { maxParts: 100, maxDepth: 5, maxHeaderBytes: 65536 });
    assert.equal(raw.buffer.byteLength, 0, 'the message moved to the thread (so it was read there)');
    assert.deepEqual(viaThread.contentType, inline.contentType);
    assert.deepEqual(viaThread.parts.map((p) => [p.contentType, p.contentId, sha(p.data)]), inline.parts.map((p) => [p.contentType, p.contentId, sha(p.data)]));
    assert.ok(viaThread.parts.every((p) => Buffer.isBuffer(p.data)));
    assert.equal(sha(viaThread.parts[1]!.data), sha(image));
  });

  it('a large message cut short fails with the MimeError the loop would raise', async () => {
    const reader = await ContentReader.start(1);
    readers.push(reader);
    const whole = forward('r-2', '+16660000001', randomBytes(200_000));
    const cut = Buffer.concat([Buffer.from(whole.slice(0, whole.length - 40_000))]);
    const expected = (() => {
      try {
        parseContent(parseHead(Buffer.from(cut)));
      } catch (error) {
        return error as MimeError;
      }
      return undefined;
    })();
    assert.ok(expected instanceof MimeError);
    await assert.rejects(reader.read(parseHead(cut), { maxParts: 100, maxDepth: 5, maxHeaderBytes: 65536 }), (e: unknown) => e instanceof MimeError && e.code === expected.code && e.message === expected.message);
  });
});

for (const threads of [1, 0]) {
  describe(`MM4 inbound with decodeThreads ${threads}: large forwards stored byte for byte, broken ones refused`, () => {
    const push = recordingPushBearer();
    const h = suiteFixture(async () => {
      const t = await startTestMmsc({
        plugins: [
          { plugin: mm5, options: { resolvers: [{ type: 'local', prefixes: ['+1666'] }], unmatched: 'reject' } },
          { plugin: mm4, options: { domain: DOMAIN_B, decodeThreads: threads, server: { host: '127.0.0.1', port: 0, maxMessageSize: 2_000_000 }, peers: [{ domain: DOMAIN_A, host: '127.0.0.1', port: 9, addresses: ['127.0.0.2'], maxConnections: 4 }] } },
          push.plugin,
        ],
      });
      return { t, port: mm4Port(t.mmsc)!, async stop() { await t.stop(); } };
    });

    // A peer written from RFC 5321, not with the SMTP libraries the MMSC uses.
    const send = (raw: string, to: string) => sendSmtp({ port: h.port, localAddress: '127.0.0.2', mailFrom: `system-user@${DOMAIN_A}`, rcptTo: [`${to}/TYPE=PLMN@${DOMAIN_B}`], data: raw, declareSize: true });

    it('four forwards of ≈270 KB at once each store their own photo', async () => {
      const photos = Array.from({ length: 4 }, () => randomBytes(200_000));
      const to = (i: number) => `+1666000${threads}${String(i).padStart(3, '0')}`;
      const answers = await Promise.all(photos.map((p, i) => send(forward(`big-${threads}-${i}`, to(i), p), to(i))));
      for (const a of answers) assert.match(a.data, /^250 /);
      for (const [i, photo] of photos.entries()) {
        const pushed = await waitFor(`recipient ${i} notified`, () => push.pushes.find((p) => p.to.value === to(i)));
        const parts = await h.t.mmsc.getParts(pushed.notification.messageId);
        const image = parts!.find((p) => p.contentType.type === 'image/jpeg');
        assert.equal(sha(image!.data), sha(photo), `message ${i} holds its own photo`);
      }
    });

    it('a ≈270 KB forward cut inside its attachment → 554 5.6.0, nothing stored', async () => {
      const to = `+1666000${threads}999`;
      const whole = forward(`cut-${threads}`, to, randomBytes(200_000));
      const r = await send(whole.slice(0, whole.length - 40_000), to);
      assert.match(r.data, /^554 5\.6\.0 malformed MIME/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(push.pushes.some((p) => p.to.value === to), false);
    });

    if (threads > 0) {
      it('a forward whose thread is killed under it → 451 4.3.0; sent again, it is read by the thread started in its place', async () => {
        const to = `+1666000${threads}555`;
        const photo = randomBytes(200_000);
        const raw = forward(`killed-${threads}`, to, photo);
        killThreadsMidCall(1);
        assert.match((await send(raw, to)).data, /^451 4\.3\.0 /);
        // The pool had one thread, and it is gone: only a new one can read this.
        assert.match((await send(raw, to)).data, /^250 /);
        const pushed = await waitFor('recipient notified', () => push.pushes.find((p) => p.to.value === to));
        const parts = await h.t.mmsc.getParts(pushed.notification.messageId);
        assert.equal(sha(parts!.find((p) => p.contentType.type === 'image/jpeg')!.data), sha(photo));
      });
    }

    // Last: the reading pool stays closed after it.
    if (threads > 0) {
      it('a forward whose reading thread is lost → 451 4.3.0 (the peer sends it again), nothing stored', async () => {
        const undo = loseThreadsMidCall();
        try {
          const to = `+1666000${threads}777`;
          const r = await send(forward(`lost-${threads}`, to, randomBytes(200_000)), to);
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
