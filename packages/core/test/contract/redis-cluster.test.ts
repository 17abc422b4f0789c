import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {requireSystem, startRedisCluster, type RedisCluster } from '@openmmsc/testkit';
import { createJobQueue } from '../../src/queue/create-job-queue.js';
import { createMessageStore } from '../../src/store/create-message-store.js';
import { jobQueueContract } from './job-queue.contract.js';
import { messageStoreContract } from './message-store.contract.js';

// A 3-master Redis Cluster: a message's keys spread over the nodes; BullMQ's keys share a hash tag.
describe('Redis Cluster backends', { skip: requireSystem('redis-server') }, () => {
  let cluster: RedisCluster | undefined;
  let startError: unknown;
  before(async () => {
    try {
      cluster = await startRedisCluster(3);
    } catch (error) {
      startError = error;
    }
  });
  after(async () => {
    await cluster?.stop();
  });
  const nodes = (): RedisCluster['nodes'] => {
    if (!cluster) throw startError ?? new Error('the Redis Cluster did not start');
    return cluster.nodes;
  };

  it('the cluster is up', () => {
    nodes();
  });

  messageStoreContract('keyv + Redis Cluster', async () => {
    const prefix = `t-${randomUUID()}`;
    return { open: () => createMessageStore({ type: 'redis', cluster: nodes(), prefix }) };
  });

  jobQueueContract('BullMQ on Redis Cluster', async () => {
    const prefix = `t-${randomUUID()}`;
    return { open: () => createJobQueue({ type: 'redis', cluster: nodes(), prefix }) };
  });
});
