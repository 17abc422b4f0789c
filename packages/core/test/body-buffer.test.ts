import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { BodyBuffer } from '../src/listeners/body-buffer.js';

/** Feeds `body` in pieces of the given sizes (cycled) and returns what the buffer holds. */
function fill(body: Buffer, sizes: readonly number[], ownChunks = false): Buffer {
  const buffer = new BodyBuffer(body.length, { ownChunks });
  for (let at = 0, i = 0; at < body.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, body.length - at);
    assert.equal(buffer.add(body.subarray(at, at + n)), true);
    at += n;
  }
  return buffer.content();
}

describe('BodyBuffer: a body of declared length, copied in as it arrives (or kept, when one chunk is all of it)', () => {
  it('holds a body byte for byte, whatever the chunks', () => {
    const body = randomBytes(3_000_017);
    for (const ownChunks of [false, true]) {
      for (const sizes of [[65_536], [1], [65_536, 3, 1_048_577, 17], [3_000_017]]) {
        const part = sizes[0] === 1 ? body.subarray(0, 100_000) : body;
        assert.ok(fill(part, sizes, ownChunks).equals(part), `chunks of ${sizes.join(', ')}${ownChunks ? ', owned' : ''}`);
      }
      assert.equal(fill(Buffer.alloc(0), [1], ownChunks).length, 0);
    }
  });

  it('refuses a chunk that would run past the declared length, keeping nothing of it', () => {
    const buffer = new BodyBuffer(10);
    assert.equal(buffer.add(Buffer.from('12345678')), true);
    assert.equal(buffer.add(Buffer.from('abc')), false);
    assert.equal(buffer.received, 8);
    assert.equal(buffer.content().toString(), '12345678', 'a body cut short is what arrived');
  });

  it('a body gathered from several chunks is memory of its own (it can move to a thread uncopied)', () => {
    const buffer = new BodyBuffer(100_000);
    buffer.add(Buffer.alloc(60_000, 1));
    buffer.add(Buffer.alloc(40_000, 2));
    const body = buffer.content();
    assert.equal(body.byteOffset, 0);
    assert.equal(body.buffer.byteLength, body.length);
    assert.equal(body[59_999], 1);
    assert.equal(body[60_000], 2);
  });

  it('chunks the body owns: one that is the whole body is kept as it is, nothing allocated, nothing copied', () => {
    const parserCopy = Buffer.from('HEAD|the whole body|TAIL');
    const chunk = parserCopy.subarray(5, 19);
    const buffer = new BodyBuffer(chunk.length, { ownChunks: true });
    assert.equal(buffer.add(chunk), true);
    const body = buffer.content();
    assert.equal(body.toString(), 'the whole body');
    assert.equal(body.buffer, parserCopy.buffer, 'the same memory');
    assert.equal(body.byteOffset, chunk.byteOffset);
    assert.equal(buffer.add(Buffer.from('x')), false, 'nothing fits after the whole body');
    assert.equal(buffer.content().toString(), 'the whole body');
    const plain = new BodyBuffer(3, { ownChunks: true });
    assert.equal(plain.add(new Uint8Array([1, 2, 3])), true);
    assert.ok(Buffer.isBuffer(plain.content()), 'a Uint8Array chunk comes back as a Buffer');
    assert.deepEqual([...plain.content()], [1, 2, 3]);
  });

  it('chunks that are views into a source\'s own reads (the default): even a whole-body chunk is copied', () => {
    const socketRead = Buffer.alloc(100_000, 7);
    const chunk = socketRead.subarray(10, 60_010);
    const buffer = new BodyBuffer(chunk.length);
    assert.equal(buffer.add(chunk), true);
    const body = buffer.content();
    assert.notEqual(body.buffer, socketRead.buffer);
    assert.equal(body.byteOffset, 0);
    assert.equal(body.buffer.byteLength, body.length, 'memory of its own: it can move to a thread');
    socketRead.fill(0);
    assert.equal(body[0], 7, 'the source reusing its memory changes nothing');
  });
});
