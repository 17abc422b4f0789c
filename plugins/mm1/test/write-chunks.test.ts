/**
 * writeChunks on a real socket: the status and headers set on the reply go out with the
 * Content-Length of the chunks, the bytes are the chunks in order, fastify's onResponse hooks
 * still run, and a client that resets the connection while megabytes are still queued costs an
 * error nowhere (no crash, no unhandled error, the server keeps answering).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { writeChunks } from '../src/write-chunks.js';
import { sliceChunks } from '../src/http-answer.js';

/** 64 MB as views of one 1 MB buffer: far more than loopback's socket buffers take, for no memory. */
const MB = Buffer.alloc(1024 * 1024, 0x61);
const HUGE = { chunks: [Buffer.from('head'), ...Array.from({ length: 64 }, () => MB)], length: 4 + 64 * MB.length };

function rawGet(port: number, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    socket.on('data', (d) => got.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(got)));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

describe('writeChunks', () => {
  let app: FastifyInstance;
  let port: number;
  const finished: string[] = [];
  /** Of each /huge answer: what node still held for the socket after writeChunks, and whether it closed. */
  const huge: Array<{ queued: number; closed: boolean }> = [];
  before(async () => {
    app = Fastify({ logger: false });
    app.addHook('onResponse', async (req, reply) => {
      finished.push(`${req.url} ${reply.statusCode}`);
    });
    app.get('/small', async (_req, reply) => {
      reply.code(203).header('content-type', 'application/vnd.wap.mms-message').header('x-test', 'yes');
      return writeChunks(reply, { chunks: [Buffer.from('abc'), new Uint8Array([0x64, 0x65]), Buffer.from('f')], length: 6 });
    });
    app.get('/huge', async (request, reply) => {
      const socket = request.raw.socket;
      const seen = { queued: 0, closed: false };
      huge.push(seen);
      socket.on('close', () => (seen.closed = true));
      writeChunks(reply, HUGE);
      seen.queued = socket.writableLength;
      return reply;
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  after(async () => app?.close());

  it('sends the reply status, its headers and the Content-Length of the chunks; onResponse hooks run', async () => {
    const raw = (await rawGet(port, '/small')).toString('latin1');
    const [head, body] = raw.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 203 /);
    assert.match(head!, /\r\ncontent-type: application\/vnd\.wap\.mms-message\r\n/i);
    assert.match(head!, /\r\nx-test: yes\r\n/i);
    assert.match(head!, /\r\ncontent-length: 6\r\n/i);
    assert.doesNotMatch(head!, /transfer-encoding/i);
    assert.equal(body, 'abcdef');
    assert.ok(finished.includes('/small 203'), finished.join());
  });

  it('a client that resets the connection with megabytes still queued: no error, the server keeps answering', async () => {
    const received = await new Promise<number>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let bytes = 0;
      socket.on('error', reject);
      socket.once('data', (d) => {
        bytes += d.length;
        socket.pause();
        setTimeout(() => {
          socket.resetAndDestroy();
          resolve(bytes);
        }, 50);
      });
      socket.write('GET /huge HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    assert.ok(received < HUGE.length);
    await sleep(100);
    assert.equal(huge.length, 1);
    // The kernel takes a few MB at most: node still held the rest when the client reset.
    assert.ok(huge[0]!.queued > 32 * MB.length, `${huge[0]!.queued} bytes queued`);
    assert.ok(huge[0]!.closed, 'the server closed its side');
    const raw = (await rawGet(port, '/small')).toString('latin1');
    assert.match(raw, /abcdef$/);
  });

  it('sliceChunks: any range of the chunks, as views', () => {
    const whole = Buffer.from('abcdef');
    const chunks = { chunks: [whole.subarray(0, 3), whole.subarray(3, 5), whole.subarray(5)], length: 6 };
    for (let s = 0; s <= 6; s++) {
      for (let e = s; e <= 6; e++) {
        const part = sliceChunks(chunks, s, e);
        assert.equal(part.length, e - s);
        assert.equal(Buffer.concat(part.chunks).toString(), 'abcdef'.slice(s, e), `[${s}, ${e})`);
        assert.ok(part.chunks.every((c) => c.buffer === whole.buffer && c.length > 0));
      }
    }
    assert.equal(sliceChunks(chunks, 0, 6).chunks[1], chunks.chunks[1], 'whole chunks are passed on as they are');
  });
});
