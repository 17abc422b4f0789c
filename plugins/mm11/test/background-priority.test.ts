import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import { ADAPTATION_NICENESS } from '../src/background-priority.js';
import { adaptImage, DEFAULT_CLASSES } from '../src/index.js';
import { photoAs, tools } from './helpers.js';

/** This process's threads by name, with their niceness, read from /proc. */
function threads(): Array<{ tid: number; name: string; niceness: number }> {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      return [{ tid: Number(tid), name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), niceness: getPriority(Number(tid)) }];
    } catch {
      return [];
    }
  });
}

describe('adaptation yields the CPU to the event loop', () => {
  it('sharp’s pixel work runs in libvips threads at adaptation’s niceness; the event loop’s thread keeps its own', { skip: !existsSync('/proc/self/task') && 'no per-thread list here' }, async () => {
    // A test run started niced: its threads start from that niceness.
    const base = getPriority(process.pid);
    const lowered = Math.max(base, ADAPTATION_NICENESS);
    const c = DEFAULT_CLASSES.find((k) => k.name === '300k')!;
    const target = { accept: c.accept!, maxWidth: c.maxImageWidth!, maxHeight: c.maxImageHeight!, budget: 100 * 1024, quality: { max: 85, min: 40 } };
    const env = { tools: await tools(), timeoutMs: 30_000 };
    for (let i = 0; i < 2; i++) {
      const r = await adaptImage(await photoAs('jpeg', 3000, 2000), 'image/jpeg', target, env);
      assert.equal(r.kind, 'adapted', r.kind === 'failed' ? r.reason : '');
    }
    const all = threads();
    const vips = all.filter((t) => t.name.startsWith('libvips'));
    assert.ok(vips.length > 0, `libvips ran its workers in this process (threads: ${all.map((t) => t.name).join(', ')})`);
    assert.deepEqual(
      vips.filter((t) => t.niceness !== lowered),
      [],
      `every libvips worker at niceness ${lowered}`,
    );
    assert.equal(getPriority(process.pid), base, 'the thread that answers handsets is not lowered');
    assert.deepEqual(all.filter((t) => !t.name.startsWith('libvips') && t.niceness !== base), [], 'nor any other thread of the process');
  });
});
