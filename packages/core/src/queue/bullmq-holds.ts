import type { RedisClient } from 'bullmq';

/**
 * Bookkeeping for held jobs on Redis, beside BullMQ's own keys: a sorted set per kind (job id →
 * held since), for the held gauges, and a set per hold key (`kind` TAB job id), for `wake`.
 * BullMQ keeps the job itself in its delayed set until the hold ends.
 */
const SCRIPTS = {
  openmmscHold: {
    numberOfKeys: 2,
    lua: `redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('SADD', KEYS[2], ARGV[3]) end
return 1`,
  },
  openmmscRelease: { numberOfKeys: 1, lua: `return redis.call('ZREM', KEYS[1], ARGV[1])` },
  openmmscTakeHeld: {
    numberOfKeys: 1,
    lua: `local m = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
return m`,
  },
} as const;

const defined = new WeakSet<RedisClient>();

function ready(client: RedisClient): RedisClient {
  if (!defined.has(client)) {
    for (const [name, definition] of Object.entries(SCRIPTS)) client.defineCommand(name, definition);
    defined.add(client);
  }
  return client;
}

export class BullmqHolds {
  constructor(private readonly prefix: string) {}

  #held(kind: string): string {
    return `${this.prefix}:openmmsc:held:${kind}`;
  }

  #waiting(key: string): string {
    return `${this.prefix}:openmmsc:hold:${key}`;
  }

  /** Notes a job as held (keeping the first `since` of a hold that continues). */
  async hold(client: RedisClient, kind: string, jobId: string, since: number, key: string | undefined): Promise<void> {
    await ready(client).runCommand('openmmscHold', [this.#held(kind), this.#waiting(key ?? ''), String(since), jobId, key ? `${kind}\t${jobId}` : '']);
  }

  /** The job is no longer held (it ran, failed for real, or was cancelled). */
  async release(client: RedisClient, kind: string, jobId: string): Promise<void> {
    await ready(client).runCommand('openmmscRelease', [this.#held(kind), jobId]);
  }

  /** Jobs held with this key, forgetting the list (each is then promoted or already gone). */
  async take(client: RedisClient, key: string): Promise<Array<{ kind: string; jobId: string }>> {
    const members = (await ready(client).runCommand('openmmscTakeHeld', [this.#waiting(key)])) as string[];
    return members.flatMap((m) => {
      const tab = m.indexOf('\t');
      return tab > 0 ? [{ kind: m.slice(0, tab), jobId: m.slice(tab + 1) }] : [];
    });
  }

  /** How many jobs of a kind are held, and since when the oldest. */
  async summary(client: RedisClient, kind: string): Promise<{ held: number; oldestSince?: number }> {
    const held = await client.zcard(this.#held(kind));
    if (held === 0) return { held };
    const first = await client.zrange(this.#held(kind), 0, 0, { WITHSCORES: true });
    const since = Number(first[1]);
    return Number.isFinite(since) ? { held, oldestSince: since } : { held };
  }
}
