import type { RedisConnectionConfig } from '../redis/redis-connection.js';
import type { RedisDurability } from '../redis/redis-durability.js';
import type { JobQueue } from '../services/job-queue.js';
import { parseDuration } from '../util/duration.js';

export type QueueConfig =
  | { type: 'sqlite'; path: string }
  | ({ type: 'redis'; prefix?: string | undefined; durability?: RedisDurability | undefined; lease?: number | string | undefined } & RedisConnectionConfig)
  | { type: 'postgres'; url: string; schema?: string | undefined; poolSize?: number | undefined; lease?: number | string | undefined };

export interface QueueHooks {
  /** Failures of the queue machinery itself (lost connection, write error), not of jobs. */
  onError?: (error: unknown) => void;
  /** This worker's name when several worker processes of a node share a SQLite queue file. */
  owner?: string;
}

/** Builds the configured queue; BullMQ (and Redis code) or pg is loaded only when configured. */
export async function createJobQueue(config: QueueConfig, hooks: QueueHooks = {}): Promise<JobQueue> {
  if (config.type === 'sqlite') {
    const { SqliteJobQueue } = await import('./sqlite-job-queue.js');
    return SqliteJobQueue.open(config.path, { ...(hooks.onError ? { onError: hooks.onError } : {}), ...(hooks.owner !== undefined ? { owner: hooks.owner } : {}) });
  }
  if (config.type === 'postgres') {
    const { PostgresJobQueue } = await import('../postgres/postgres-job-queue.js');
    return PostgresJobQueue.open({
      url: config.url,
      schema: config.schema ?? 'openmmsc',
      poolSize: config.poolSize ?? 10,
      ...(config.lease !== undefined ? { leaseMs: parseDuration(config.lease) } : {}),
      ...(hooks.onError ? { onError: hooks.onError } : {}),
    });
  }
  const { BullmqJobQueue } = await import('./bullmq-job-queue.js');
  const { connectRedis } = await import('../redis/redis-connection.js');
  const { type: _type, prefix, durability, lease, ...redis } = config;
  // BullMQ's own clients would wait for the server indefinitely: check it can be reached first.
  (await connectRedis(redis, 'job queue')).disconnect();
  const queue = new BullmqJobQueue({
    redis,
    prefix: prefix ?? 'openmmsc',
    ...(durability ? { durability } : {}),
    ...(lease !== undefined ? { leaseMs: parseDuration(lease) } : {}),
    ...(hooks.onError ? { onError: hooks.onError } : {}),
  });
  try {
    await queue.ping();
  } catch (error) {
    await queue.close(0).catch(() => undefined);
    throw error;
  }
  return queue;
}
