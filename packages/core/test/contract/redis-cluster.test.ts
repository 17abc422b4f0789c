import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import { requireSystem, startRedisCluster } from '@openmmsc/testkit';
import { serverBackendContracts, suiteServer } from './server-backends.js';

// A 3-master Redis Cluster: a message's keys spread over the nodes; BullMQ's keys share a hash tag.
describe('Redis Cluster backends', { skip: requireSystem('redis-server') }, () => {
  const cluster = suiteServer('the Redis Cluster', () => startRedisCluster(3));
  serverBackendContracts({
    names: { store: 'keyv + Redis Cluster', queue: 'BullMQ on Redis Cluster' },
    store: () => ({ type: 'redis', cluster: cluster().nodes, prefix: `t-${randomUUID()}` }),
    queue: () => ({ type: 'redis', cluster: cluster().nodes, prefix: `t-${randomUUID()}` }),
  });
});
