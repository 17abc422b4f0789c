import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ReusedJoin } from '../src/store/blob-table.js';
import { openSqliteKeyv } from '../src/store/sqlite-keyv.js';

describe('ReusedJoin: pieces joined in one buffer used again', () => {
  it('joins pieces in order into the same memory each time, growing it as needed', () => {
    const join = new ReusedJoin(1 << 20);
    const a = join.join([Buffer.from('head|'), Buffer.from('body')]);
    assert.equal(a.toString(), 'head|body');
    const memory = a.buffer;
    const b = join.join([Buffer.from('12'), new Uint8Array([0x33])]);
    assert.equal(b.toString(), '123');
    assert.equal(b.buffer, memory, 'the same memory again');
    const big = randomBytes(300_000);
    const c = join.join([big.subarray(0, 7), big.subarray(7)]);
    assert.ok(c.equals(big));
    assert.equal(join.join([big.subarray(0, 10), big.subarray(10, 20)]).buffer, c.buffer, 'the grown buffer is kept');
  });

  it('one piece is returned as that piece; a blob over the limit gets memory of its own', () => {
    const join = new ReusedJoin(10_000);
    const only = Buffer.from('only');
    assert.equal(join.join([only]).buffer, only.buffer);
    const large = [Buffer.alloc(6_000, 1), Buffer.alloc(6_000, 2)];
    const x = join.join(large);
    const y = join.join(large);
    assert.equal(x.length, 12_000);
    assert.notEqual(x.buffer, y.buffer, 'not the reused buffer');
    assert.equal(x[5_999], 1);
    assert.equal(x[6_000], 2);
  });
});

describe('SQLite blobs written through the reused buffer', () => {
  for (const shared of [false, true]) {
    it(`several parts written in one call, and in one turn, each read back as written (${shared ? 'a worker\'s batched writes' : 'one process'})`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'openmmsc-join-'));
      try {
        const { keyv, blobs } = await openSqliteKeyv(join(dir, 'store.sqlite'), shared);
        const bodies = Array.from({ length: 6 }, (_, i) => randomBytes(20_000 + i * 7_000));
        const head = (i: number) => Buffer.from(`{"part":${i}}`);
        await Promise.all([
          blobs.set(bodies.slice(0, 3).map((b, i) => ({ key: `p${i}`, value: [head(i), b] }))),
          blobs.set(bodies.slice(3).map((b, i) => ({ key: `p${i + 3}`, value: [head(i + 3), b] }))),
        ]);
        const got = await blobs.get(bodies.map((_, i) => `p${i}`));
        got.forEach((blob, i) => assert.ok(blob?.equals(Buffer.concat([head(i), bodies[i]!])), `part ${i}`));
        await keyv.disconnect();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
