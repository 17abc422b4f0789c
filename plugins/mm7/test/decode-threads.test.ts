import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Mm7DecodeError, decodeMm7 } from '@openmmsc/mm7';
import { killThreadsMidCall, loseThreadsMidCall, suiteFixture } from '@openmmsc/testkit';
import { threadCount } from '@openmmsc/core';
import { decodeLimits } from '../src/decoding/decode-limits.js';
import { DecodingThreadLost, Mm7Decoder, OFF_THREAD_MIN_BYTES } from '../src/decoding/mm7-decoder.js';
import { markOwned } from '../src/decoding/owned-bodies.js';
import { mm7Options } from '../src/options.js';
import { counter, PASSWORD, startHarness } from './helpers.js';
import { answerFields, basic, multipartRelated, rawRequest, soapSubmit } from './raw-http.js';

const auth = { Authorization: basic('acme', PASSWORD) };
const limits = decodeLimits(mm7Options.parse({}).limits);

/** base64 in 76-character lines, as a VASP's MIME library writes it. */
const base64Lines = (bytes: Buffer) => bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
const jpegPart = (bytes: Buffer) => ({ headers: ['Content-Type: image/jpeg', 'Content-ID: <pic>', 'Content-Transfer-Encoding: base64'], body: base64Lines(bytes) });
const submitWith = (tx: string, bytes: Buffer) => multipartRelated(soapSubmit({ transactionId: tx, contentHref: 'cid:pic' }), jpegPart(bytes));

describe('decodeThreads', () => {
  it('auto: a thread for a single-process node with a core to spare, none in a node of several workers', () => {
    assert.equal(threadCount('auto', undefined, 2), 1);
    assert.equal(threadCount('auto', undefined, 1), 0);
    assert.equal(threadCount('auto', 1, 2), 0);
    assert.equal(threadCount('auto', 3, 16), 0);
    assert.equal(threadCount(2, 1, 2), 2, 'a number is taken as given');
    assert.equal(mm7Options.parse({}).decodeThreads, 'auto');
    assert.throws(() => mm7Options.parse({ decodeThreads: 'two' }));
    assert.throws(() => mm7Options.parse({ decodeThreads: -1 }));
  });
});

describe('Mm7Decoder', () => {
  const decoders: Mm7Decoder[] = [];
  after(async () => {
    for (const d of decoders) await d.close();
  });

  it('reads a large request on its thread as the event loop would, and takes the body it was given', async () => {
    const decoder = await Mm7Decoder.start(limits, 1);
    decoders.push(decoder);
    const photo = randomBytes(30_000);
    const req = submitWith('thread-1', photo);
    const inline = decodeMm7(req.contentType, Buffer.from(req.body), limits);
    // A body joined from chunks is handed over; one that shares memory with socket reads is copied.
    const owned = markOwned(Buffer.concat([Buffer.from(req.body.slice(0, 100)), Buffer.from(req.body.slice(100))]));
    assert.ok(owned.length >= OFF_THREAD_MIN_BYTES);
    const viaThread = await decoder.decode(req.contentType, owned);
    assert.equal(owned.buffer.byteLength, 0, 'the owned body moved to the thread (so it was decoded there)');
    const shared = Buffer.from(req.body);
    const viaCopy = await decoder.decode(req.contentType, shared);
    assert.equal(shared.toString(), req.body, 'a body not owned is left as it was');
    for (const decoded of [viaThread, viaCopy]) {
      assert.equal(decoded.envelope.release, inline.envelope.release, 'the release is the table\'s own object');
      assert.deepEqual(decoded.envelope, inline.envelope);
      assert.ok(Buffer.isBuffer(decoded.content!.body));
      assert.deepEqual(decoded.content!.body, photo);
      assert.deepEqual(decoded.warnings, inline.warnings);
    }
  });

  it('a large request that cannot be read fails with the Mm7DecodeError and TransactionID the event loop would give', async () => {
    const decoder = await Mm7Decoder.start(limits, 1);
    decoders.push(decoder);
    const req = submitWith('thread-cut', randomBytes(30_000));
    const cut = req.body.slice(0, req.body.length - 5000);
    await assert.rejects(decoder.decode(req.contentType, markOwned(Buffer.concat([Buffer.from(cut), Buffer.alloc(0)]))), (e: unknown) => {
      assert.ok(e instanceof Mm7DecodeError);
      assert.equal(e.status, 2007);
      assert.equal(e.transactionId, 'thread-cut');
      assert.equal(e.release?.name, 'REL-6-MM7-1-4');
      return true;
    });
  });
});

for (const threads of [1, 0]) {
  describe(`MM7 over HTTP with decodeThreads ${threads}: large requests stored byte for byte, broken ones refused`, () => {
    const h = suiteFixture(() => startHarness({ plugin: { decodeThreads: threads } }));

    it('sixteen SubmitReqs of ≈40 KB at once each store their own image', async () => {
      const photos = Array.from({ length: 16 }, () => randomBytes(30_000));
      const answers = await Promise.all(photos.map((p, i) => {
        const req = submitWith(`big-${threads}-${i}`, p);
        return rawRequest(h.url, { body: req.body, headers: { ...auth, 'Content-Type': req.contentType } });
      }));
      for (const [i, res] of answers.entries()) {
        const f = answerFields(res.body);
        assert.equal(res.status, 200, res.body.slice(0, 300));
        assert.equal(f.code, 1000);
        assert.equal(f.transactionId, `big-${threads}-${i}`);
        const stored = await h.t.mmsc.getMessage(f.messageId!);
        const parts = await h.t.mmsc.getParts(f.messageId!);
        assert.ok(stored);
        const image = parts!.find((p) => p.contentType.type === 'image/jpeg');
        assert.equal(createHash('sha256').update(image!.data).digest('hex'), createHash('sha256').update(photos[i]!).digest('hex'), `message ${i} holds its own image`);
      }
    });

    it('a ≈40 KB SubmitReq cut inside its attachment → 2007 naming its TransactionID, nothing stored', async () => {
      const before = await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' });
      const req = submitWith(`cut-${threads}`, randomBytes(30_000));
      const res = await rawRequest(h.url, { body: req.body.slice(0, req.body.length - 3000), headers: { ...auth, 'Content-Type': req.contentType } });
      const f = answerFields(res.body);
      assert.equal(res.status, 500);
      assert.equal(f.code, 2007);
      assert.equal(f.transactionId, `cut-${threads}`);
      assert.equal(await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' }), before);
    });
  });
}

describe('Mm7Decoder losing its thread', () => {
  it('fails the request with the TransactionID to answer with, whether its body moved to the thread or was copied', async () => {
    const req = submitWith('lost-0', randomBytes(30_000));
    const moved = markOwned(Buffer.concat([Buffer.from(req.body.slice(0, 100)), Buffer.from(req.body.slice(100))]));
    const copied = Buffer.from(req.body);
    for (const body of [moved, copied]) {
      const decoder = await Mm7Decoder.start(limits, 1);
      const undo = loseThreadsMidCall();
      try {
        await assert.rejects(decoder.decode(req.contentType, body), (e: unknown) => e instanceof DecodingThreadLost && e.hints.transactionId === 'lost-0');
      } finally {
        undo();
        await decoder.close();
      }
    }
    assert.equal(moved.buffer.byteLength, 0, 'the owned body had moved to the thread');
  });
});

describe('MM7 over HTTP when the decoding thread is lost mid-request', () => {
  const h = suiteFixture(() => startHarness({ plugin: { decodeThreads: 1 } }));

  it('a thread killed under a request: 3000 for it, and the same request sent again is read by the thread started in its place', async () => {
    const photo = randomBytes(120_000);
    const req = submitWith('killed-thread-1', photo);
    killThreadsMidCall(1);
    const lost = await rawRequest(h.url, { body: req.body, headers: { ...auth, 'Content-Type': req.contentType } });
    assert.equal(lost.status, 500, lost.body.slice(0, 300));
    assert.equal(answerFields(lost.body).code, 3000);
    assert.equal(answerFields(lost.body).transactionId, 'killed-thread-1');
    // The pool had one thread, and it is gone: only a new one can read this.
    const again = await rawRequest(h.url, { body: req.body, headers: { ...auth, 'Content-Type': req.contentType } });
    const f = answerFields(again.body);
    assert.equal(again.status, 200, again.body.slice(0, 300));
    assert.equal(f.code, 1000);
    const parts = await h.t.mmsc.getParts(f.messageId!);
    assert.ok(parts!.find((p) => p.contentType.type === 'image/jpeg')!.data.equals(photo));
  });

  // Last: the decoding pool stays closed after it.
  it('answers 3000 naming its TransactionID (not read: safe to send again), stores nothing', async () => {
    const undo = loseThreadsMidCall();
    try {
      const before = await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' });
      // ≈ 160 KB: larger than one socket read, so gathered into a buffer of its own and moved (not copied) to the thread.
      const req = submitWith('lost-thread-1', randomBytes(120_000));
      const res = await rawRequest(h.url, { body: req.body, headers: { ...auth, 'Content-Type': req.contentType } });
      const f = answerFields(res.body);
      assert.equal(res.status, 500, res.body.slice(0, 300));
      assert.equal(f.code, 3000);
      assert.equal(f.transactionId, 'lost-thread-1', 'the answer names the request it refuses, though its body went to the thread');
      assert.equal(await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' }), before);
    } finally {
      undo();
    }
  });
});
