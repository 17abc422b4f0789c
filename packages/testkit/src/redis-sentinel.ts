import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { spawnRedis, startRedis, stopChild, type RedisServer, type RedisServerOptions } from './redis-server.js';
import { bringUp, SETTLING } from './store-server.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/** `redis-cli` against a loopback port; the reply's lines. */
export async function redisCli(port: number, ...args: string[]): Promise<string[]> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 });
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

export interface SentinelGroup {
  /** Name the sentinels monitor the master under. */
  name: string;
  sentinels: Array<{ host: string; port: number }>;
  /** The servers, the first started as master; after a fail-over another one is. */
  servers: RedisServer[];
  /** The master's port as the sentinels see it now. */
  masterPort(): Promise<number>;
  /** Waits until the sentinels name a master other than `oldPort`, and it answers as master. */
  waitForFailover(oldPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

export interface SentinelGroupOptions {
  replicas?: number;
  /** Persistence of the master and replicas (see `startRedis`). */
  persistence?: RedisServerOptions['persistence'];
  /** How long a silent master is down for a sentinel (default 1000 ms). */
  downAfterMs?: number;
}

/**
 * A master, its replicas and three sentinels (`redis-server --sentinel`, the same binary), all on
 * free loopback ports. Resolves once every sentinel knows the replicas and the other sentinels,
 * so a fail-over can be started at once.
 */
export async function startSentinelGroup(options: SentinelGroupOptions = {}): Promise<SentinelGroup> {
  const name = 'mymaster';
  const downAfter = options.downAfterMs ?? 1000;
  const persistence = options.persistence ?? 'none';
  const master = await startRedis({ persistence });
  const servers = [master];
  const sentinelChildren: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'openmmsc-sentinel-'));
  const group: SentinelGroup = {
    name,
    sentinels: [],
    servers,
    async masterPort() {
      for (const s of group.sentinels) {
        try {
          const [, port] = await redisCli(s.port, 'SENTINEL', 'get-master-addr-by-name', name);
          if (port) return Number(port);
        } catch {
          // This sentinel is down; ask the next.
        }
      }
      throw new Error('no sentinel answers');
    },
    async waitForFailover(oldPort, timeoutMs = 30_000) {
      return waitFor(
        'sentinel fail-over',
        async () => {
          const port = await group.masterPort();
          if (port === oldPort) return undefined;
          const role = await redisCli(port, 'ROLE');
          return role[0] === 'master' ? port : undefined;
        },
        { timeoutMs, intervalMs: 100 },
      );
    },
    async stop() {
      for (const child of sentinelChildren) await stopChild(child, 'SIGTERM');
      for (const server of servers) await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return bringUp(group, async () => {
    for (let i = 0; i < (options.replicas ?? 1); i++) {
      servers.push(await startRedis({ persistence, args: ['--replicaof', '127.0.0.1', String(master.port)] }));
    }
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const file = join(dir, `sentinel-${i}.conf`);
      // Sentinel rewrites its config file: it must be writable, one per sentinel.
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${name} ${downAfter}`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      const child = await spawnRedis([file, '--sentinel'], port);
      if (!child) throw new Error('redis sentinel did not start');
      sentinelChildren.push(child);
      group.sentinels.push({ host: '127.0.0.1', port });
    }
    const replicas = servers.length - 1;
    await waitFor(
      'sentinels to know the replicas and each other',
      async () => {
        for (const s of group.sentinels) {
          const master = await redisCli(s.port, 'SENTINEL', 'master', name);
          const field = (key: string) => Number(master[master.indexOf(key) + 1]);
          if (field('num-slaves') < replicas || field('num-other-sentinels') < 2) return false;
        }
        // The replicas must have caught up with the master, or none can be promoted.
        for (const replica of servers.slice(1)) {
          const info = await redisCli(replica.port, 'INFO', 'replication');
          if (!info.includes('master_link_status:up')) return false;
        }
        return true;
      },
      SETTLING,
    );
  });
}
