import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createJobQueue } from '../../src/queue/create-job-queue.js';
import { createMessageStore } from '../../src/store/create-message-store.js';
import { requireSystem, startRedis, type RedisServer } from '../helpers/redis.js';
import { jobQueueContract } from './job-queue.contract.js';
import { pluginJobsContract } from './plugin-jobs.contract.js';
import { messageStoreContract } from './message-store.contract.js';

// One server for the file; every fixture gets its own key prefix, as separate deployments would.
describe('Redis backends', { skip: requireSystem('redis-server') }, () => {
  let redis: RedisServer | undefined;
  let startError: unknown;
  // A redis-server that does not start must show up as failed tests (not cancelled ones) with the reason.
  before(async () => {
    try {
      redis = await startRedis();
    } catch (error) {
      startError = error;
    }
  });
  after(async () => {
    await redis?.stop();
  });
  const url = (): string => {
    if (!redis) throw startError ?? new Error('redis-server did not start');
    return redis.url;
  };

  it('redis-server is available', () => {
    url();
  });

  messageStoreContract('keyv + Redis', async () => {
    const prefix = `t-${randomUUID()}`;
    return { open: () => createMessageStore({ type: 'redis', url: url(), prefix }), sharedByProcesses: true };
  });

  jobQueueContract('BullMQ', async () => {
    const prefix = `t-${randomUUID()}`;
    return { open: () => createJobQueue({ type: 'redis', url: url(), prefix }) };
  });

  pluginJobsContract('BullMQ', async () => {
    const prefix = `t-${randomUUID()}`;
    return { open: () => createJobQueue({ type: 'redis', url: url(), prefix }) };
  });
});
