import { after, before, describe } from 'node:test';
import { redisCli, requireSystem, startRedis, type RedisServer } from '@openmmsc/testkit';
import { createRedisClient } from '../src/redis/redis-connection.js';
import { RedisKeyvAdapter } from '../src/redis/redis-keyv.js';
import { decodeValue } from '../src/store/value-codec.js';
import { casText, lastSeenCasContract, type CasBackend } from './contract/last-seen-cas.contract.js';

/**
 * GETs the clients sent since the last CONFIG RESETSTAT, counted by Redis itself. It counts the
 * script's own GET with them (one per run of the compare-and-set), so those are taken off.
 */
async function gets(port: number): Promise<number> {
  const calls = new Map<string, number>();
  for (const line of await redisCli(port, 'INFO', 'commandstats')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m) calls.set(m[1]!, Number(m[2]));
  }
  return (calls.get('get') ?? 0) - (calls.get('evalsha') ?? 0) - (calls.get('eval') ?? 0);
}

// Two adapters on one Redis stand for two nodes of a cluster; a third client for anyone else.
describe('Redis compare-and-set from the text last seen', { skip: requireSystem('redis-server') }, () => {
  let redis: RedisServer;
  let backend: CasBackend;
  let close = async (): Promise<void> => {};
  before(async () => {
    redis = await startRedis();
    const port = Number(new URL(redis.url).port);
    const other = createRedisClient({ url: redis.url });
    const nodeA = new RedisKeyvAdapter(createRedisClient({ url: redis.url }), 'cas');
    const nodeB = new RedisKeyvAdapter(createRedisClient({ url: redis.url }), 'cas');
    close = async () => {
      await nodeA.disconnect();
      await nodeB.disconnect();
      other.disconnect();
    };
    backend = {
      nodeA,
      nodeB,
      overwrite: async (key, value) => {
        await other.set(`cas:${key}`, casText(value));
      },
      stored: async (key) => decodeValue<{ value: number }>((await other.get(`cas:${key}`))!).value,
      reads: () => gets(port),
      resetReads: async () => {
        await redisCli(port, 'CONFIG', 'RESETSTAT');
      },
    };
  });
  after(async () => {
    await close();
    await redis?.stop();
  });

  lastSeenCasContract(() => backend);
});
