import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import pino from 'pino';
import { createMmsc } from '@openmmsc/core';

it('a stopping MMSC stops sampling its load before it closes the queue and store (no warning at every stop)', async () => {
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { level: number; msg: string; err?: { message: string } };
        if (entry.level >= 40) warnings.push(`${entry.msg}${entry.err ? `: ${entry.err.message}` : ''}`);
      }
      done();
    },
  });
  // The sampler reads the queue every 2 ms: any sample between the queue's close and the
  // sampler's stop would read a closed queue.
  for (let i = 0; i < 5; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-stop-order-'));
    try {
      const mmsc = await createMmsc({
        config: { store: { type: 'sqlite', path: join(dir, 'store.sqlite') }, admin: { port: 0 }, admission: { sampleInterval: '2ms', maxEventLoopDelay: 0 } },
        logger: pino({ level: 'warn' }, sink),
      });
      await new Promise((r) => setTimeout(r, 20));
      await mmsc.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  assert.deepEqual(warnings, []);
});
