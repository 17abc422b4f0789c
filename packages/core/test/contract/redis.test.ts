import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import { requireSystem, startRedis } from '../helpers/redis.js';
import { serverBackendContracts, suiteServer } from './server-backends.js';

// One server for the file; every fixture gets its own key prefix, as separate deployments would.
describe('Redis backends', { skip: requireSystem('redis-server') }, () => {
  const redis = suiteServer('redis-server', () => startRedis());
  serverBackendContracts({
    names: { store: 'keyv + Redis', queue: 'BullMQ', pluginJobs: 'BullMQ' },
    store: () => ({ type: 'redis', url: redis().url, prefix: `t-${randomUUID()}` }),
    queue: () => ({ type: 'redis', url: redis().url, prefix: `t-${randomUUID()}` }),
    sharedByProcesses: true,
  });
});
