import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { systemCommand } from '../system/index.js';

export interface LoopbackCapture {
  /** Where the packets go (pcapng). */
  file: string;
  /** Waits for the last packets, stops tshark (SIGINT) and checks that it wrote the file. */
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Captures the loopback traffic of the given TCP ports into `file` with tshark (needs the right
 * to capture: root, or membership of the `wireshark` group). Resolves once tshark is capturing.
 */
export async function captureLoopback(ports: number | number[], file: string, opts: { startTimeoutMs?: number } = {}): Promise<LoopbackCapture> {
  const filter = (Array.isArray(ports) ? ports : [ports]).map((p) => `tcp port ${p}`).join(' or ');
  const child = spawn(systemCommand('tshark', 'tshark'), ['-i', 'lo', '-f', filter, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
  while (!stderr.includes('Capturing on')) {
    if (child.exitCode !== null) throw new Error(`tshark could not capture on lo: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tshark did not start capturing on lo: ${stderr}`);
    }
    await sleep(50);
  }
  // tshark says "Capturing" a moment before the filter is live.
  await sleep(300);
  return {
    file,
    async stop() {
      await sleep(300);
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await exited;
      }
      if (!existsSync(file) || statSync(file).size === 0) throw new Error(`tshark wrote no capture: ${stderr}`);
    },
  };
}
