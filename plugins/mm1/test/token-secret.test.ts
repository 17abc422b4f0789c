import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { tokenSecret } from '../src/token-secret.js';

const WORKER = fileURLToPath(new URL('./fixtures/secret-worker.ts', import.meta.url));

describe('the token secret a node\'s workers share', () => {
  it('workers starting together on a fresh SQLite store all end up with one secret', async () => {
    for (const stepUs of [40]) {
      const dir = await mkdtemp(join(tmpdir(), 'openmmsc-secret-'));
      try {
        // All open the store, then ask a fraction of a millisecond apart: one reads while
        // another's first write is on its way, when a read-then-write makes two secrets.
        const at = Date.now() + 2500;
        const workers = Array.from({ length: 6 }, (_, i) => spawn(process.execPath, [...process.execArgv, WORKER, join(dir, 'store.sqlite'), String(at), String(i * stepUs)], { stdio: ['ignore', 'pipe', 'inherit'] }));
        const secrets = workers.map(
          (w) =>
            new Promise<string>((resolve, reject) => {
              let out = '';
              w.stdout!.on('data', (d: Buffer) => (out += d.toString()));
              w.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`worker exited ${code}`))));
            }),
        );
        const got = await Promise.all(secrets);
        assert.equal(got.length, 6);
        assert.ok(got[0]!.length >= 32);
        assert.deepEqual(new Set(got).size, 1, `one secret, not ${new Set(got).size} (workers ${stepUs} µs apart)`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });

  it('two workers whose reads and writes interleave (each reads nothing, then each writes) still share one secret', async () => {
    // A store as two processes see it: a read takes a turn and gets what is committed; writes
    // take the write lock in turn, three turns each (the second waits for the first, as SQLite's
    // BEGIN IMMEDIATE does); `update` reads and writes under that lock, as SQLite and Redis do.
    let committed: string | undefined;
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await turn();
    };
    let lock = Promise.resolve();
    const locked = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = lock.then(fn);
      lock = run.then(() => undefined, () => undefined);
      return run;
    };
    const kv = {
      get: async () => (await turn(), committed),
      set: (_key: string, value: string) => locked(async () => {
        await turns(3);
        committed = value;
      }),
      update: <T>(_key: string, fn: (current: T | undefined) => T): Promise<T> => locked(async () => {
        await turns(3);
        const next = fn(committed as T | undefined);
        committed = next as string;
        return next;
      }),
    };
    const [a, b] = await Promise.all([tokenSecret(kv as never), tokenSecret(kv as never)]);
    assert.equal(a, b, 'one secret for both');
    assert.equal(a, committed, 'the one the store kept');
  });

  it('a configured secret is used as it is, and nothing is stored', async () => {
    let asked = false;
    const secret = await tokenSecret({ update: async () => ((asked = true), 'stored') as never }, 'a-configured-secret-of-enough-length');
    assert.equal(secret, 'a-configured-secret-of-enough-length');
    assert.equal(asked, false);
  });
});
