import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { GroupCommit, type CommitMode } from '../src/store/group-commit.js';

function file(): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  return db;
}

/**
 * What happens, in order, when a write to one file waits for another file's commit (a message
 * stored, then its jobs enqueued), started in the timers phase of a turn. `next turn` is an
 * immediate made in this turn's check phase, so it runs in the next turn, after its poll phase:
 * whatever comes after it waited for a whole turn of other clients' work.
 */
async function storedThenQueued(mode: CommitMode): Promise<string[]> {
  const store = file();
  const queue = file();
  const order: string[] = [];
  try {
    await new Promise<void>((done) => {
      setTimeout(() => {
        setImmediate(() => setImmediate(() => order.push('next turn')));
        void (async () => {
          await new GroupCommit(store, mode).write(() => store.prepare('INSERT INTO t VALUES (?)').run('message'));
          order.push('message committed');
          await new GroupCommit(queue, mode).write(() => queue.prepare('INSERT INTO t VALUES (?)').run('job'));
          order.push('job committed');
          setTimeout(done, 5);
        })();
      }, 0);
    });
    assert.equal((queue.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 1, 'the job is there');
    return order;
  } finally {
    store.close();
    queue.close();
  }
}

describe('a commit that follows another commit of the same turn', () => {
  for (const mode of ['turn', 'batch'] as const) {
    it(`is made in that turn, not after the next turn's poll phase (${mode} mode)`, async () => {
      // Before: the second commit's setImmediate, made in the check phase, ran in the next turn.
      assert.deepEqual(await storedThenQueued(mode), ['message committed', 'job committed', 'next turn']);
    });
  }

  it('still commits the writes of one turn together', async () => {
    const db = file();
    const commits: string[] = [];
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      if (sql === 'COMMIT') commits.push(sql);
      return exec(sql);
    };
    try {
      const writes = new GroupCommit(db, 'turn');
      await Promise.all(['a', 'b', 'c'].map((k) => writes.write(() => db.prepare('INSERT INTO t VALUES (?)').run(k))));
      assert.equal(commits.length, 1, 'three writes of one turn, one commit');
    } finally {
      db.close();
    }
  });
});
