import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

export interface HostPort {
  host: string;
  port: number;
}

/** Where Redis is: one server (`url`), a master found through Sentinel, or a Redis Cluster. */
export interface RedisConnectionConfig {
  url?: string | undefined;
  sentinels?: readonly HostPort[] | undefined;
  /** Master name the sentinels monitor. */
  name?: string | undefined;
  cluster?: readonly HostPort[] | undefined;
  username?: string | undefined;
  password?: string | undefined;
  sentinelPassword?: string | undefined;
}

/** `url`, `sentinel` or `cluster`, whichever the config gives. */
export function redisMode(c: RedisConnectionConfig): 'url' | 'sentinel' | 'cluster' {
  if (c.cluster?.length) return 'cluster';
  if (c.sentinels?.length) {
    if (!c.name) throw new Error('redis: `name` (the master name the sentinels monitor) is required with `sentinels`');
    return 'sentinel';
  }
  if (!c.url) throw new Error('redis: give `url`, `sentinels` or `cluster`');
  return 'url';
}

function auth(c: RedisConnectionConfig): RedisOptions {
  const out: RedisOptions = {};
  if (c.username !== undefined) out.username = c.username;
  if (c.password !== undefined) out.password = c.password;
  return out;
}

/**
 * ioredis options for one server or a Sentinel-monitored master (not a Cluster). With sentinels,
 * the client asks them for the master on every (re)connect, so it follows a fail-over; a
 * connection still open to a demoted master answers READONLY, which makes it reconnect too.
 */
export function redisOptions(c: RedisConnectionConfig, extra: RedisOptions = {}): RedisOptions & { url?: string } {
  if (redisMode(c) === 'sentinel') {
    return {
      ...auth(c),
      sentinels: c.sentinels!.map((s) => ({ host: s.host, port: s.port })),
      name: c.name!,
      ...(c.sentinelPassword !== undefined ? { sentinelPassword: c.sentinelPassword } : {}),
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
      ...extra,
    };
  }
  return { url: c.url!, ...extra };
}

/** A client for the store and for checks: a `Redis` (server or Sentinel master) or a `Cluster`. */
export function createRedisClient(c: RedisConnectionConfig, extra: RedisOptions = {}): Redis | Cluster {
  if (redisMode(c) === 'cluster') {
    const options: ClusterOptions = {
      redisOptions: { ...auth(c), ...extra },
      enableAutoPipelining: extra.enableAutoPipelining ?? false,
      lazyConnect: extra.lazyConnect ?? false,
    };
    return new Cluster(c.cluster!.map((n) => ({ host: n.host, port: n.port })), options);
  }
  const { url, ...options } = redisOptions(c, extra);
  return url ? new Redis(url, options) : new Redis(options);
}

/** The masters to ask about server settings (one, or each master of a Cluster). */
export function masters(client: Redis | Cluster): Array<Redis> {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** Where the config points, for error messages (no password). */
export function describeRedis(c: RedisConnectionConfig): string {
  const mode = redisMode(c);
  if (mode === 'cluster') return `Redis Cluster ${c.cluster!.map((n) => `${n.host}:${n.port}`).join(', ')}`;
  if (mode === 'sentinel') return `master ${c.name} of sentinels ${c.sentinels!.map((n) => `${n.host}:${n.port}`).join(', ')}`;
  try {
    const url = new URL(c.url!);
    return `Redis ${url.hostname}:${url.port || '6379'}`;
  } catch {
    return 'Redis';
  }
}

/**
 * A connected client, or a clear error at once when the server cannot be reached: a client
 * left to its reconnect loop would hold the start for many seconds before failing.
 */
export async function connectRedis(
  c: RedisConnectionConfig,
  what: string,
  extra: RedisOptions = {},
  timeoutMs = 10_000,
): Promise<Redis | Cluster> {
  const client = createRedisClient(c, { ...extra, lazyConnect: true });
  // Failures reach the caller through commands; an unhandled 'error' event must not crash the process.
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  // Sentinel and Cluster clients retry their seed nodes for ever: the start gives up on its own.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
    return client;
  } catch (error) {
    client.disconnect();
    throw new Error(`${what}: cannot reach ${describeRedis(c)}: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
