import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { movable, revivedBuffers, transferablesOf } from '../src/threads/buffers.js';
import { ThreadPool, ThreadStoppedError } from '../src/threads/thread-pool.js';

const MODULE = new URL('./fixtures/pool-thread.ts', import.meta.url);

describe('ThreadPool', () => {
  const pools: ThreadPool<unknown, unknown>[] = [];
  const start = async (size: number) => {
    const pool = await ThreadPool.start<unknown, Record<string, unknown>>(MODULE, { size, name: 'test pool' });
    pools.push(pool as ThreadPool<unknown, unknown>);
    return pool;
  };
  after(async () => {
    for (const p of pools) await p.close();
  });

  it('answers each call from a thread, spreading calls in flight over the threads', async () => {
    const pool = await start(2);
    assert.equal(pool.size, 2);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.run({ op: 'echo', value: { i, list: [i, 'x'] } })));
    answers.forEach((a, i) => assert.deepEqual(a.value, { i, list: [i, 'x'] }));
    const waits = await Promise.all([pool.run({ op: 'wait', ms: 50 }), pool.run({ op: 'wait', ms: 50 })]);
    assert.notEqual(waits[0]!.thread, waits[1]!.thread, 'two calls in flight run on two threads');
  });

  it('moves transferred buffers instead of copying them, both ways', async () => {
    const pool = await start(1);
    const bytes = new Uint8Array(64 * 1024).fill(3);
    const answer = (await pool.run({ op: 'sum', bytes }, [bytes.buffer])) as { sum: number; bytes: Uint8Array };
    assert.equal(bytes.buffer.byteLength, 0, 'the caller no longer holds the buffer');
    assert.equal(answer.sum, 3 * 64 * 1024);
    assert.equal(answer.bytes.byteLength, 64 * 1024);
  });

  it('a handler that throws fails its call with the same name and message; the thread goes on', async () => {
    const pool = await start(1);
    await assert.rejects(pool.run({ op: 'throw' }), (e: Error) => e.name === 'RangeError' && e.message === 'asked to fail');
    await assert.rejects(pool.run({ op: 'clone-fail' }), (e: Error) => e.name === 'DataCloneError');
    assert.deepEqual((await pool.run({ op: 'echo', value: 1 })).value, 1);
  });

  it('a thread that dies fails its calls with ThreadStoppedError and is replaced', async () => {
    const pool = await start(1);
    const before = (await pool.run({ op: 'echo', value: 0 })).thread;
    const waiting = pool.run({ op: 'wait', ms: 2000 });
    await assert.rejects(pool.run({ op: 'exit' }), ThreadStoppedError);
    await assert.rejects(waiting, ThreadStoppedError, 'the other call on that thread fails too, at once');
    const again = await pool.run({ op: 'echo', value: 'still here' });
    assert.equal(again.value, 'still here');
    assert.notEqual(again.thread, before, 'a new thread answered');
    assert.equal(pool.size, 1);
  });

  it('a module that cannot load fails the start, naming why', async () => {
    await assert.rejects(ThreadPool.start(new URL('./fixtures/broken-thread.ts', import.meta.url), { size: 2, name: 'broken pool' }), /broken pool: a thread stopped \(this module cannot load\) before it was ready/);
    await assert.rejects(ThreadPool.start(MODULE, { size: 0, name: 'empty pool' }), /empty pool: a thread pool needs at least 1 thread, not 0/);
  });

  it('closing fails the calls in flight and refuses new ones', async () => {
    const pool = await start(1);
    const waiting = pool.run({ op: 'wait', ms: 2000 });
    await pool.close();
    await assert.rejects(waiting, ThreadStoppedError);
    await assert.rejects(pool.run({ op: 'echo', value: 1 }), ThreadStoppedError);
    assert.equal(pool.size, 0);
  });
});

describe('buffers crossing threads', () => {
  it('finds the memory of every byte array in arrays and plain objects, once each, leaving pool-sized ones to be copied', () => {
    const big = Buffer.alloc(20_000);
    const other = new Uint8Array(30_000);
    const small = Buffer.from('tiny');
    const value = { a: big, list: [{ b: big.subarray(10, 20) }, other], nested: { c: small }, n: 1, s: 'x', none: null };
    const found = transferablesOf(value);
    assert.equal(found.length, 2);
    assert.ok(found.includes(big.buffer) && found.includes(other.buffer));
    assert.deepEqual(transferablesOf(Buffer.from('x')), [], 'a value that is itself a pool slice');
  });

  it('makes the byte arrays of a cloned value Buffers again, in place and without a copy', () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const value = revivedBuffers(structuredClone({ parts: [{ data: Buffer.from(bytes) }], body: bytes.subarray(1) }));
    assert.ok(Buffer.isBuffer(value.parts[0]!.data));
    assert.ok(Buffer.isBuffer(value.body));
    assert.deepEqual([...value.body], [2, 3, 4]);
    const original = value.body as Uint8Array;
    revivedBuffers(value);
    assert.equal(value.body, original, 'a Buffer already is left as it is');
  });

  it('moves bytes whose memory is their own, copies the others (not owned, or in Node\'s pool slab)', () => {
    const own = Buffer.concat([Buffer.alloc(20_000, 1), Buffer.alloc(1, 2)]);
    assert.equal(movable(own, true), own);
    const shared = movable(own, false);
    assert.notEqual(shared.buffer, own.buffer);
    assert.ok(shared.equals(own));
    const pooled = Buffer.from('tiny');
    const copy = movable(pooled, true);
    assert.notEqual(copy.buffer, pooled.buffer, 'a pool slice is never moved: the slab holds other Buffers');
    assert.equal(copy.toString(), 'tiny');
  });

  it('keeps the process alive while a call is in flight, and not once the pool is idle', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/pool-lifetime.ts', import.meta.url));
    const proc = spawn(process.execPath, [...process.execArgv, fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        resolve(null);
      }, 30_000);
      proc.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    // 13: Node gave up on the unsettled top-level await (nothing held the process during the
    // call); null: still running after 30 s (the idle pool held it).
    assert.equal(code, 0, `exit code ${code}`);
    assert.match(out, /^answered by thread \d+\n$/);
  });
});
