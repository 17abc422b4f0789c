import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, type RedisConnectionConfig } from '../redis/redis-connection.js';

export interface TakeResult {
  allowed: boolean;
  /** When refused: how long until enough tokens are back (ms). */
  retryAfterMs: number;
}

/**
 * Shared counters: token buckets for rate limits and sliding windows of distinct recipients per
 * content hash. In-process for one node; in Redis (atomic Lua scripts, Redis server time) so that
 * every node of a cluster sees the same counts.
 */
export interface Counters {
  /** Takes `cost` tokens from the bucket `key` (capacity `capacity`, refilled `capacity` per `windowMs`). */
  take(key: string, capacity: number, windowMs: number, cost?: number): Promise<TakeResult>;
  /** Adds `members` to the set `key` for `windowMs` and returns how many distinct members it holds now. */
  distinct(key: string, members: readonly string[], windowMs: number): Promise<number>;
  close(): Promise<void>;
}

export class MemoryCounters implements Counters {
  private readonly buckets = new Map<string, { tokens: number; at: number; until: number }>();
  private readonly sets = new Map<string, Map<string, number>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  async take(key: string, capacity: number, windowMs: number, cost = 1): Promise<TakeResult> {
    const now = this.now();
    const rate = capacity / windowMs;
    const b = this.buckets.get(key) ?? { tokens: capacity, at: now, until: 0 };
    b.tokens = Math.min(capacity, b.tokens + (now - b.at) * rate);
    b.at = now;
    b.until = now + windowMs;
    this.buckets.set(key, b);
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return { allowed: true, retryAfterMs: 0 };
    }
    return { allowed: false, retryAfterMs: Math.ceil((cost - b.tokens) / rate) };
  }

  async distinct(key: string, members: readonly string[], windowMs: number): Promise<number> {
    const now = this.now();
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = new Map()));
    for (const [m, at] of set) if (at <= now - windowMs) set.delete(m);
    for (const m of members) set.set(m, now);
    return set.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, b] of this.buckets) if (b.until < now) this.buckets.delete(k);
    for (const [k, s] of this.sets) {
      let newest = 0;
      for (const at of s.values()) newest = Math.max(newest, at);
      if (newest < now - 3_600_000) this.sets.delete(k);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}

const TAKE = `
local capacity = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local rate = capacity / window
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = capacity; at = now end
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait = math.ceil((cost - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], window + 1000)
return {allowed, wait}
`;

const DISTINCT = `
local window = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], window)
return redis.call('ZCARD', KEYS[1])
`;

export class RedisCounters implements Counters {
  private readonly redis: Redis | Cluster;

  /** Where the store's Redis is (one server, a Sentinel-monitored master, or a Cluster). */
  constructor(
    connection: RedisConnectionConfig,
    private readonly prefix: string,
  ) {
    // One key per script: a Cluster routes each call to the key's node.
    this.redis = createRedisClient(connection, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    this.redis.defineCommand('openmmscTake', { numberOfKeys: 1, lua: TAKE });
    this.redis.defineCommand('openmmscDistinct', { numberOfKeys: 1, lua: DISTINCT });
  }

  async take(key: string, capacity: number, windowMs: number, cost = 1): Promise<TakeResult> {
    const run = (this.redis as unknown as Record<string, (...a: Array<string | number>) => Promise<[number, number]>>).openmmscTake!;
    const [allowed, wait] = await run.call(this.redis, this.prefix + key, capacity, windowMs, cost);
    return { allowed: allowed === 1, retryAfterMs: wait };
  }

  async distinct(key: string, members: readonly string[], windowMs: number): Promise<number> {
    const run = (this.redis as unknown as Record<string, (...a: Array<string | number>) => Promise<number>>).openmmscDistinct!;
    return run.call(this.redis, this.prefix + key, windowMs, ...members);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
