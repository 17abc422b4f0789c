import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelConfigInput, Mmsc } from '@openmmsc/core';
import { waitFor } from '@openmmsc/testkit';

const childFile = fileURLToPath(new URL('../fixtures/crash-child.ts', import.meta.url));

/** An MMSC in a child process submitting as fast as it can (fixtures/crash-child.ts). */
export interface BurstChild {
  /** Every accepted message, with when its acknowledgement reached the test. */
  acks: Array<{ id: string; at: number }>;
  /** Lines of `pushes.log`: notifications the child (or a recovering node) sent. */
  pushed(): number;
  /** `kill -9`; resolves once the process is gone. */
  kill(): Promise<void>;
  proc: ChildProcess;
}

export function startBurstChild(dir: string, store?: KernelConfigInput['store'], pushMs = 3): BurstChild {
  const env = { ...process.env, OPENMMSC_CRASH_PUSH_MS: String(pushMs), ...(store ? { OPENMMSC_CRASH_STORE: JSON.stringify(store) } : {}) };
  const proc = spawn(process.execPath, [...process.execArgv, childFile, dir], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const acks: BurstChild['acks'] = [];
  let buffer = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.startsWith('ACK ')) acks.push({ id: line.slice(4), at: Date.now() });
    }
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const pushesFile = join(dir, 'pushes.log');
  return {
    acks,
    proc,
    pushed: () => (existsSync(pushesFile) ? readFileSync(pushesFile, 'utf8').trim().split('\n').filter(Boolean).length : 0),
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Waits until every recipient of each message is notified (or `timeoutMs`); resolves to the ids still not. */
export async function waitUntilNotified(mmsc: Mmsc, ids: readonly string[], timeoutMs: number): Promise<string[]> {
  const pending = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const id of ids) {
      const rs = await mmsc.getRecipients(id);
      if (rs.length === 0 || rs.some((r) => r.state !== 'notified')) out.push(id);
    }
    return out;
  };
  await waitFor('every recipient notified', async () => (await pending()).length === 0, { timeoutMs, intervalMs: 200 }).catch(() => undefined);
  return pending();
}
