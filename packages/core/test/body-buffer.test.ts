import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { BodyBuffer, TOUCH_ABOVE } from '../src/listeners/body-buffer.js';

const MiB = 1 << 20;

/** Feeds `body` in pieces of the given sizes (cycled), then waits for the buffer to hold it all. */
async function fill(body: Buffer, sizes: readonly number[], touchAbove?: number): Promise<Buffer> {
  const buffer = new BodyBuffer(body.length, touchAbove);
  let at = 0;
  for (let i = 0; at < body.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, body.length - at);
    assert.equal(buffer.add(body.subarray(at, at + n)), true);
    at += n;
    // Now and then let the thread pool's touches come back between chunks, as a slow link would.
    if (i % 7 === 0) await new Promise((r) => setImmediate(r));
  }
  return new Promise((resolve) => buffer.whenCopied(resolve));
}

describe('BodyBuffer: a body of declared length, its pages mapped ahead of the bytes', () => {
  it('holds a large body byte for byte, whatever the chunks (across segment boundaries, one byte, 64 KB)', async () => {
    const body = randomBytes(5 * MiB + 12_345);
    for (const sizes of [[65_536], [65_536, 3, MiB + 1, 17], [5 * MiB + 12_345]]) {
      assert.ok((await fill(body, sizes)).equals(body), `chunks of ${sizes.join(', ')}`);
    }
    // Byte by byte across the first segment boundary.
    const small = body.subarray(0, MiB + 100);
    assert.ok((await fill(small, [1], 0)).equals(small), 'chunks of 1 byte');
  });

  it('holds a small body as it comes (no touching), and an empty one', async () => {
    const body = randomBytes(TOUCH_ABOVE - 1);
    assert.ok((await fill(body, [4096])).equals(body));
    assert.equal((await fill(Buffer.alloc(0), [1])).length, 0);
  });

  it('maps ahead only as much as has arrived (at most 4 MiB): a client that declares 64 MiB and sends a byte commits 256 KiB', async () => {
    const buffer = new BodyBuffer(64 * MiB);
    assert.equal(buffer.touched, 0, 'nothing before the first byte');
    buffer.add(Buffer.from('x'));
    assert.equal(buffer.touched, 256 * 1024);
    buffer.add(Buffer.alloc(MiB));
    assert.equal(buffer.touched, 2.25 * MiB, 'twice what arrived, rounded up to a segment');
    buffer.add(Buffer.alloc(9 * MiB));
    assert.equal(buffer.touched, 14.25 * MiB, 'past 4 MiB received, 4 MiB ahead');
    const big = new BodyBuffer(3 * MiB);
    big.add(Buffer.alloc(2 * MiB));
    assert.equal(big.touched, 3 * MiB, 'never past the declared length');
  });

  it('refuses a chunk that would run past the declared length, keeping nothing of it', async () => {
    const buffer = new BodyBuffer(10);
    assert.equal(buffer.add(Buffer.from('12345678')), true);
    assert.equal(buffer.add(Buffer.from('abc')), false);
    assert.equal(buffer.received, 8);
    const got = await new Promise<Buffer>((resolve) => buffer.whenCopied(resolve));
    assert.equal(got.toString(), '12345678');
  });

  it('answers only when the chunks waiting for their pages are in', async () => {
    const body = randomBytes(3 * MiB);
    const buffer = new BodyBuffer(body.length);
    buffer.add(body);
    let done: Buffer | undefined;
    buffer.whenCopied((b) => (done = b));
    // The pages are mapped on the thread pool: not before this turn ends.
    assert.equal(done, undefined);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(done?.equals(body));
  });
});
