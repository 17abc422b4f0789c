import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { systemCommand } from './system/index.js';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

async function answersPing(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const done = (result: boolean): void => {
      socket.destroy();
      ok(result);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * Starts a throw-away redis-server on a free loopback port; throws the install line when it is
 * not installed (guard the tests with `requireSystem('redis-server')`).
 */
export async function startRedis(): Promise<RedisServer> {
  const command = systemCommand('redis-server', 'redis-server');
  for (let tries = 0; tries < 3; tries++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      command,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let exited = false;
    child.once('exit', () => (exited = true));
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) {
      if (await answersPing(port)) {
        return {
          url: `redis://127.0.0.1:${port}`,
          port,
          stop: () =>
            new Promise<void>((ok) => {
              if (exited || child.pid === undefined) return ok();
              child.once('exit', () => ok());
              process.kill(child.pid, 'SIGTERM');
            }),
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!exited && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }
  throw new Error('redis-server did not answer PING');
}
