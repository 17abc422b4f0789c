import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { isOwned } from '../src/decoding/owned-bodies.js';
import { BodyReader, BodyTooLarge } from '../src/http-body.js';

/** A request body arriving in the given chunks. */
function request(chunks: Buffer[]): IncomingMessage {
  const raw = Object.assign(new PassThrough(), { headers: { 'content-length': String(chunks.reduce((n, c) => n + c.length, 0)) }, url: '/mm7', socket: {} });
  setImmediate(() => {
    for (const c of chunks) raw.write(c);
    raw.end();
  });
  return raw as unknown as IncomingMessage;
}

const read = (reader: BodyReader, raw: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => reader.read(raw, (error, body) => (error ? reject(error) : resolve(body!))));

describe('BodyReader: request bodies as Buffers, copied only when they must be joined', () => {
  it('a body that arrived in one chunk is handed on as that chunk, not a copy of it', async () => {
    const chunk = Buffer.from('x'.repeat(50_000));
    const body = await read(new BodyReader(100_000, 400_000), request([chunk]));
    assert.equal(body.buffer, chunk.buffer, 'same memory');
    assert.equal(body.byteOffset, chunk.byteOffset);
    assert.equal(body.length, chunk.length);
  });

  it('a body that came from Node\'s HTTP parser in one chunk owns its memory, so it may move to a decoding thread', async () => {
    const reader = new BodyReader(100_000, 400_000);
    const bodies: Buffer[] = [];
    const server = createServer((req, res) => reader.read(req, (error, body) => {
      if (body) bodies.push(body);
      res.end(error ? 'error' : 'ok');
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const sent = Buffer.alloc(51_705, 0x41);
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/mm7', headers: { 'content-type': 'text/xml', 'content-length': sent.length } }, (res) => res.resume().on('end', resolve));
        req.on('error', reject);
        req.end(sent);
      });
      assert.equal(bodies.length, 1);
      const body = bodies[0]!;
      assert.ok(body.equals(sent));
      assert.equal(body.byteOffset, 0, 'not a view into the socket\'s read');
      assert.equal(body.buffer.byteLength, body.length, 'memory of its own');
      assert.equal(isOwned(body), true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a one-chunk body that is a view into a larger allocation is not taken as owned (it is copied, not moved)', async () => {
    const socketRead = Buffer.alloc(100_000, 0x42);
    const body = await read(new BodyReader(100_000, 400_000), request([socketRead.subarray(10, 60_010)]));
    assert.equal(isOwned(body), false);
  });

  it('a body in several chunks is joined in order; one over the limit is refused with its first bytes', async () => {
    const parts = [Buffer.from('<env:Envelope>'), Buffer.from('middle'), Buffer.from('</env:Envelope>')];
    assert.equal((await read(new BodyReader(100, 400), request(parts))).toString(), '<env:Envelope>middle</env:Envelope>');
    await assert.rejects(read(new BodyReader(10, 400), request(parts)), (e: unknown) => e instanceof BodyTooLarge && !e.unread && e.head.toString().startsWith('<env:Envelope>'));
  });
});

describe('BodyReader: a large declared body', () => {
  it('is taken into one buffer of its own as it arrives, byte for byte', async () => {
    const chunks = Array.from({ length: 70 }, (_, i) => Buffer.alloc(65_536 - (i % 5), i));
    const expected = Buffer.concat(chunks);
    const body = await read(new BodyReader(8 << 20, 16 << 20), request(chunks));
    assert.ok(body.equals(expected));
    assert.equal(body.byteOffset, 0);
    assert.equal(body.buffer.byteLength, body.length, 'its own memory: it can move to a decoding thread uncopied');
  });
});
