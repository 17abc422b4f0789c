import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { systemCommand } from '../system/index.js';

export interface LoopbackCapture {
  /** Where the packets go (pcapng). */
  file: string;
  /** Waits until the last packets are written, stops the capture (SIGINT) and checks that it wrote the file. */
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Captures the loopback traffic of the given TCP ports into `file` with dumpcap, tshark's capture
 * engine (needs the right to capture: root, or membership of the `wireshark` group). Resolves
 * once it is capturing.
 */
export async function captureLoopback(ports: number | number[], file: string, opts: { startTimeoutMs?: number; settleTimeoutMs?: number } = {}): Promise<LoopbackCapture> {
  const filter = (Array.isArray(ports) ? ports : [ports]).map((p) => `tcp port ${p}`).join(' or ');
  const child = spawn(systemCommand('dumpcap', 'tshark'), ['-i', 'lo', '-f', filter, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
  while (!stderr.includes('Capturing on')) {
    if (child.exitCode !== null) throw new Error(`dumpcap could not capture on lo: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dumpcap did not start capturing on lo: ${stderr}`);
    }
    await sleep(50);
  }
  return {
    file,
    async stop() {
      // dumpcap reads the kernel's buffer in blocks and writes what it read every half second; on
      // SIGINT it drops what it has not read yet. So wait until the file has stopped growing.
      let size = -1;
      let stableSince = Date.now();
      const until = Date.now() + (opts.settleTimeoutMs ?? 10_000);
      while (Date.now() < until) {
        await sleep(100);
        const now = existsSync(file) ? statSync(file).size : 0;
        if (now !== size) {
          size = now;
          stableSince = Date.now();
        } else if (Date.now() - stableSince >= 1000) break;
      }
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await exited;
      }
      if (!existsSync(file) || statSync(file).size === 0) throw new Error(`dumpcap wrote no capture: ${stderr}`);
    },
  };
}
