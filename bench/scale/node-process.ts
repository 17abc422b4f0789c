// Starting, asking and stopping MMSC node processes (node.ts). Shared by bench/scale and
// bench/takeover.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimulatedSmsc } from '@openmmsc/testkit';
import { waitFor } from '@openmmsc/testkit';

export interface NodeProcess {
  id: string;
  pid: number;
  /** The node's own MM1 URL (`…/mms`). */
  mm1: string;
  proc: ChildProcess;
  request<T>(type: string, reply: string): Promise<T>;
  /** Graceful stop (drains), resolves when the process has exited. */
  stop(): Promise<void>;
  /** `kill -9`; resolves at the exit. */
  kill(): Promise<void>;
}

export interface NodeStats {
  id: string;
  cpuUs: number;
  rssKb: number;
  maxRssKb: number;
}

const nodeFile = fileURLToPath(new URL('./node.ts', import.meta.url));

/** Forks one node on `store`, pushing to `smsc` with system_id `id`; resolves once its SMPP link is bound. */
export async function startNode(id: string, opts: { store: unknown; smsc: SimulatedSmsc; kernelConfig?: unknown; smppWindow?: number }): Promise<NodeProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ID: id,
    NODE_STORE: JSON.stringify(opts.store),
    NODE_SMSC_PORT: String(opts.smsc.port),
    NODE_KERNEL_CONFIG: JSON.stringify(opts.kernelConfig ?? {}),
    NODE_SMPP_WINDOW: String(opts.smppWindow ?? 64),
  };
  // The node's log (stdout) goes to stderr: stdout carries the figures.
  const proc = fork(nodeFile, [], { execArgv: ['--import', 'tsx', '--conditions=@openmmsc/source'], env, stdio: ['ignore', 2, 2, 'ipc'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const ready = await new Promise<{ mm1: string; pid: number }>((resolve, reject) => {
    proc.once('exit', (code, signal) => reject(new Error(`node ${id} exited with ${code ?? signal}`)));
    proc.on('message', (m: { type: string; mm1: string; pid: number }) => m.type === 'ready' && resolve(m));
  });
  await waitFor(`SMPP bind of ${id}`, () => opts.smsc.binds.some((b) => b.systemId === id && b.accepted), { timeoutMs: 30_000, intervalMs: 20 });
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const node: NodeProcess = {
    id,
    pid: ready.pid,
    mm1: `${ready.mm1}/mms`,
    proc,
    request<T>(type: string, reply: string): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const on = (m: { type: string }) => {
          if (m.type !== reply) return;
          proc.off('message', on);
          resolve(m as T);
        };
        proc.on('message', on);
        proc.once('exit', () => reject(new Error(`node ${id} exited before answering ${type}`)));
        proc.send({ type });
      });
    },
    async stop() {
      if (!alive()) return;
      proc.send({ type: 'stop' });
      const timer = setTimeout(() => alive() && proc.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (alive()) proc.kill('SIGKILL');
      await exited;
    },
  };
  return node;
}

/** Starts several nodes side by side. */
export function startNodes(ids: readonly string[], opts: Parameters<typeof startNode>[1]): Promise<NodeProcess[]> {
  return Promise.all(ids.map((id) => startNode(id, opts)));
}
