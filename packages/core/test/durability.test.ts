import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createMmsc } from '@openmmsc/core';
import { waitFor } from '@openmmsc/testkit';
import { crashSetup } from './fixtures/crash-plugins.js';

const child = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));

describe('durability', () => {
  it('kill -9 mid-flight loses nothing: every acknowledged message is stored and every recipient gets notified after restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-crash-'));
    try {
      const proc = spawn(process.execPath, [...process.execArgv, child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      const acked: string[] = [];
      let buffer = '';
      proc.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith('ACK ')) acked.push(line.slice(4));
        }
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_c, s) => resolve(s)));
      const pushesFile = join(dir, 'pushes.log');
      const pushed = () => (existsSync(pushesFile) ? readFileSync(pushesFile, 'utf8').trim().split('\n').length : 0);
      await waitFor('submissions and notifications under way', () => acked.length >= 150 && pushed() >= 20, { timeoutMs: 60_000 });
      proc.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      const ackedAtKill = [...acked];
      const pushedAtKill = pushed();
      assert.ok(pushedAtKill < ackedAtKill.length * 2, `some notifications must still be pending at the kill (${pushedAtKill} of ${ackedAtKill.length * 2})`);

      const { plugins, config } = crashSetup(dir);
      const mmsc = await createMmsc({ config, plugins });
      try {
        for (const id of ackedAtKill) {
          const message = await mmsc.getMessage(id);
          assert.ok(message, `acknowledged message ${id} is in the store`);
          assert.equal((await mmsc.getParts(id))?.length, 1);
        }
        await waitFor(
          'every acknowledged recipient notified',
          async () => {
            for (const id of ackedAtKill) {
              const rs = await mmsc.getRecipients(id);
              if (rs.length !== 2 || rs.some((r) => r.state !== 'notified')) return false;
            }
            return true;
          },
          { timeoutMs: 60_000, intervalMs: 200 },
        );
        const lines = new Set(readFileSync(pushesFile, 'utf8').trim().split('\n'));
        for (const id of ackedAtKill) {
          assert.ok(lines.has(`${id} +15550000002`) && lines.has(`${id} +15550000003`), `both pushes for ${id}`);
        }
      } finally {
        await mmsc.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
