import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { MessageBuffer } from '../src/message-buffer.js';

/** Feeds `data` in chunks of `size` bytes and returns what the buffer holds at the end. */
async function gather(limit: number, declared: number | undefined, data: Buffer, size = 65_536): Promise<Buffer> {
  const m = new MessageBuffer(limit, declared);
  for (let i = 0; i < data.length; i += size) m.add(data.subarray(i, i + size));
  return m.content();
}

describe('MessageBuffer: the DATA of one message', () => {
  const mail = randomBytes(5_000_123);

  it('holds the message byte for byte whether its SIZE was exact, an overestimate, an underestimate or absent', async () => {
    for (const declared of [mail.length, mail.length + 100_000, 3_000_000, 10, undefined]) {
      assert.ok((await gather(20_000_000, declared, mail)).equals(mail), `SIZE=${declared}`);
    }
  });

  it('keeps only the first `limit` bytes of an oversize message, whatever it declared', async () => {
    for (const declared of [undefined, 4_000_000, 9_000_000]) {
      assert.ok((await gather(4_000_000, declared, mail, 100_001)).equals(mail.subarray(0, 4_000_000)), `SIZE=${declared}`);
    }
  });

  it('holds an empty message as an empty buffer', async () => {
    assert.equal((await gather(1000, 0, Buffer.alloc(0))).length, 0);
    assert.equal((await gather(1000, 500, Buffer.alloc(0))).length, 0);
  });
});
