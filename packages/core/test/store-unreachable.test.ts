import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createServer, type AddressInfo } from 'node:net';
import { createMessageStore } from '../src/store/create-message-store.js';
import { createJobQueue } from '../src/queue/create-job-queue.js';

/** A port nothing listens on: bound, read, closed. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function refusedQuickly(open: () => Promise<unknown>, message: RegExp, withinMs: number): Promise<void> {
  const began = Date.now();
  await assert.rejects(open, message);
  const took = Date.now() - began;
  assert.ok(took < withinMs, `gave up after ${took} ms`);
}

describe('a store or queue that cannot be reached stops the start with an error naming it', () => {
  it('Redis server: the store and the queue', async () => {
    const port = await deadPort();
    await refusedQuickly(() => createMessageStore({ type: 'redis', url: `redis://127.0.0.1:${port}`, prefix: 'x' }), new RegExp(`message store: cannot reach Redis 127.0.0.1:${port}`), 5000);
    await refusedQuickly(() => createJobQueue({ type: 'redis', url: `redis://127.0.0.1:${port}`, prefix: 'x' }), new RegExp(`job queue: cannot reach Redis 127.0.0.1:${port}`), 5000);
  });

  it('Redis Cluster: no seed node answers', async () => {
    const port = await deadPort();
    await refusedQuickly(() => createMessageStore({ type: 'redis', cluster: [{ host: '127.0.0.1', port }], prefix: 'x' }), /message store: cannot reach Redis Cluster 127\.0\.0\.1:\d+: None of startup nodes is available/, 5000);
  });

  it('Sentinel: no sentinel answers (the client would retry for ever; the start gives up after 10 s)', async () => {
    const port = await deadPort();
    await refusedQuickly(
      () => createMessageStore({ type: 'redis', sentinels: [{ host: '127.0.0.1', port }], name: 'main', prefix: 'x' }),
      new RegExp(`message store: cannot reach master main of sentinels 127.0.0.1:${port}: no answer within 10000 ms`),
      15_000,
    );
  });

  it('PostgreSQL: the store and the queue, without the password in the message', async () => {
    const port = await deadPort();
    const url = `postgres://openmmsc:s3cret@127.0.0.1:${port}/mmsc`;
    await refusedQuickly(() => createMessageStore({ type: 'postgres', url }), new RegExp(`message store: cannot use PostgreSQL 127.0.0.1:${port}/mmsc: connect ECONNREFUSED`), 5000);
    await refusedQuickly(() => createJobQueue({ type: 'postgres', url }), new RegExp(`job queue: cannot use PostgreSQL 127.0.0.1:${port}/mmsc`), 5000);
    await assert.rejects(() => createMessageStore({ type: 'postgres', url }), (e: Error) => !e.message.includes('s3cret'));
  });
});
