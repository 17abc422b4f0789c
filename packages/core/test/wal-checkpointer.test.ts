import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteKeyv } from '../src/store/sqlite-keyv.js';
import { waitFor } from '@openmmsc/testkit';

const size = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

describe('WAL checkpoints off the event loop', () => {
  it('moves committed pages into the database file from another thread, with the writer never checkpointing itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-wal-'));
    const file = join(dir, 'store.sqlite');
    try {
      const { keyv, blobs } = await openSqliteKeyv(file);
      // 8 MB: far below the writer's own backstop (256 MB), so only the thread can have moved it.
      for (let i = 0; i < 16; i++) await blobs.set([{ key: `b${i}`, value: [Buffer.alloc(512 * 1024, i)] }]);
      await waitFor('pages checkpointed into the database file', () => size(file) >= 8 * 1024 * 1024, { timeoutMs: 5000 });
      const [first, last] = await blobs.get(['b0', 'b15']);
      assert.equal(first?.[0], 0);
      assert.equal(last?.[100], 15);
      await keyv.disconnect();
      assert.equal(size(`${file}-wal`), 0, 'the last connection to close removed the WAL: the thread released the file first');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
