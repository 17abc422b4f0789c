import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { portIsFree } from './free-port.js';
import { spawnRedis, stopChild } from './redis-server.js';
import { redisCli } from './redis-sentinel.js';
import { bringUp, SETTLING } from './store-server.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

export interface RedisCluster {
  nodes: Array<{ host: string; port: number }>;
  stop(): Promise<void>;
}

/** Ports p such that p and its cluster bus port p + 10000 are both free. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; tries < 200 && ports.length < count; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (!ports.includes(port) && (await portIsFree(port)) && (await portIsFree(port + 10_000))) ports.push(port);
  }
  if (ports.length < count) throw new Error('no free ports for a Redis Cluster');
  return ports;
}

/** A Redis Cluster of `masters` masters (no replicas) on loopback, slots assigned, state ok. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'openmmsc-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports = await clusterPorts(masters);
  const cluster: RedisCluster = {
    nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    async stop() {
      for (const child of children) await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return bringUp(cluster, async () => {
    for (const port of ports) {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--cluster-enabled', 'yes',
        '--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no'];
      const child = await spawnRedis(args, port);
      if (!child) throw new Error(`cluster node on ${port} did not start`);
      children.push(child);
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes'], { timeout: 30_000 });
    await waitFor(
      'cluster state ok on every node',
      async () => {
        for (const port of ports) if (!(await redisCli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
        return true;
      },
      SETTLING,
    );
  });
}
