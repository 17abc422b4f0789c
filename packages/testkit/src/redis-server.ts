import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import type { StoreServer } from './store-server.js';
import { systemCommand } from './system/index.js';

/**
 * A redis-server: its directory holds the AOF and RDB files. `stop` sends SIGTERM; `kill` leaves
 * no shutdown save and no AOF rewrite.
 */
export type RedisServer = StoreServer;

export interface RedisServerOptions {
  /**
   * Persistence: `none` (no AOF, no RDB: the default, for throw-away test servers), or an AOF
   * with `appendfsync always` or `everysec`.
   */
  persistence?: 'none' | 'always' | 'everysec';
  /** More `redis-server` arguments (e.g. `['--replicaof', '127.0.0.1', '6379']`). */
  args?: readonly string[];
  /** Port to use (default: a free one). */
  port?: number;
}

/** Sends an inline command and resolves with the first reply line (e.g. `+PONG`), or '' on error. */
export async function redisCommand(port: number, command: string, timeoutMs = 500): Promise<string> {
  return new Promise((ok) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (result: string): void => {
      socket.destroy();
      ok(result);
    };
    socket.setTimeout(timeoutMs, () => done(''));
    socket.once('error', () => done(''));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (data) => {
      reply += data.toString();
      if (reply.includes('\r\n')) done(reply);
    });
  });
}

/**
 * The redis-server command; throws the install line when it is missing (guard the tests with
 * `requireSystem('redis-server')`).
 */
export function redisServerCommand(): string {
  return systemCommand('redis-server', 'redis-server');
}

function persistenceArgs(persistence: RedisServerOptions['persistence']): string[] {
  if (persistence === 'always' || persistence === 'everysec') {
    return ['--save', '', '--appendonly', 'yes', '--appendfsync', persistence];
  }
  return ['--save', '', '--appendonly', 'no'];
}

/** A redis-server child on a port, answering PING; `exited` tells whether it died meanwhile. */
export async function spawnRedis(args: readonly string[], port: number, readyWithin = 10_000): Promise<ChildProcess | undefined> {
  const child: ChildProcess = spawn(redisServerCommand(), [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + readyWithin;
  while (!exited && Date.now() < deadline) {
    // LOADING (replaying an AOF) answers an error, not PONG: wait for the data to be there.
    if ((await redisCommand(port, 'PING')).startsWith('+PONG')) return child;
    await new Promise((r) => setTimeout(r, 30));
  }
  if (!exited && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  return undefined;
}

export function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  return new Promise<void>((ok) => {
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return ok();
    child.once('exit', () => ok());
    process.kill(child.pid, signal);
  });
}

/** Starts a throw-away redis-server on a free loopback port; throws the install line when it is not installed. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'openmmsc-redis-'));
  for (let tries = 0; tries < 3; tries++) {
    const port = options.port ?? (await freePort());
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...persistenceArgs(options.persistence), ...(options.args ?? [])];
    let child = await spawnRedis(args, port);
    if (!child) continue;
    const server: RedisServer = {
      url: `redis://127.0.0.1:${port}`,
      port,
      dir,
      get pid() {
        return child?.pid;
      },
      stop: async () => {
        await stopChild(child, 'SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      },
      kill: () => stopChild(child, 'SIGKILL'),
      restart: async () => {
        await stopChild(child, 'SIGKILL');
        child = await spawnRedis(args, port, 30_000);
        if (!child) throw new Error(`redis-server did not restart on port ${port}`);
      },
    };
    return server;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('redis-server did not answer PING');
}
