import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { converterLauncher } from '../src/converter-launcher.js';
import { run, ToolError } from '../src/tools.js';

/** Live processes of a process group (read from /proc: no ps on a bare machine). */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        // Fields after the command name: state, ppid, pgrp.
        const fields = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ');
        // A zombie has ended; only its exit status waits for a parent to read it.
        return Number(fields[2]) === pgid && fields[0] !== 'Z' ? [Number(d)] : [];
      } catch {
        return [];
      }
    });
}

// Converters are stood in for by sh, cat, sleep and head: what matters is how they are started,
// fed, bounded and ended, not what they compute.
describe('converters started by the launcher process', () => {
  it('feeds stdin and returns stdout byte for byte', async () => {
    const input = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < input.length; i++) input[i] = (i * 31) & 0xff;
    const { stdout } = await run('cat', [], { input, timeoutMs: 10_000 });
    assert.ok(stdout.equals(input));
  });

  it('runs a program with arguments as they are (no shell)', async () => {
    const { stdout } = await run('printf', ['%s|', 'a b', '$HOME', ';rm -rf x'], { timeoutMs: 10_000 });
    assert.equal(stdout.toString(), 'a b|$HOME|;rm -rf x|');
  });

  it('a failing program: its exit code and the end of its stderr', async () => {
    await assert.rejects(run('sh', ['-c', 'echo one >&2; echo two >&2; exit 3'], { timeoutMs: 10_000 }), (e: unknown) => {
      assert.ok(e instanceof ToolError);
      assert.equal(e.message, 'sh exited with 3: one | two');
      assert.equal(e.stderr, 'one\ntwo\n');
      return true;
    });
  });

  it('a program that does not exist: the spawn error', async () => {
    await assert.rejects(run('openmmsc-no-such-converter', [], { timeoutMs: 10_000 }), /openmmsc-no-such-converter: spawn openmmsc-no-such-converter ENOENT/);
  });

  it('a program over its time is killed; an aborted one too', async () => {
    const started = Date.now();
    await assert.rejects(run('sleep', ['30'], { timeoutMs: 300 }), /sleep took longer than 300 ms/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(run('sleep', ['30'], { timeoutMs: 20_000, signal: controller.signal }), /sleep aborted/);
    assert.ok(Date.now() - started < 15_000, 'neither waited for sleep 30');
    await new Promise((r) => setTimeout(r, 300));
    // The helper killed them: only the helper is left in its process group.
    const helper = converterLauncher.pid!;
    assert.deepEqual(groupMembers(helper), [helper], 'killed converters are gone');
  });

  it('a converter yields the CPU: its niceness, and its scheduling group’s where the kernel groups by session', async (t) => {
    // What the kernel reads: sh's own stat line and autogroup, and the test process's autogroup.
    const { stdout } = await run('sh', ['-c', 'cat /proc/$$/stat; cat /proc/$$/autogroup 2>/dev/null || echo none'], { timeoutMs: 10_000 });
    const [stat, group] = stdout.toString().trim().split('\n');
    // Fields after the command name: state, ppid, …, priority (15), nice (16).
    assert.equal(stat!.split(') ')[1]!.split(' ')[16], '10', 'the converter runs at niceness 10');
    const grouping = existsSync('/proc/sys/kernel/sched_autogroup_enabled') ? readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() : '0';
    if (grouping !== '1' || group === 'none') {
      t.diagnostic('this kernel does not group tasks by session: the niceness above is what counts');
      return;
    }
    const ours = readFileSync('/proc/self/autogroup', 'utf8').trim();
    // The launcher leads its own session, so its converters share a group apart from this process:
    // one that kept niceness 0 would weigh as much as the MMSC, whatever its members' niceness.
    assert.notEqual(group!.split(' ')[0], ours.split(' ')[0], 'the converter is in the launcher’s own group');
    assert.match(group!, / nice 10$/, 'the group as a whole yields as its converters do');
  });

  it('output beyond maxOutput is an error, and the writer is stopped', async () => {
    await assert.rejects(run('head', ['-c', '50000000', '/dev/zero'], { timeoutMs: 20_000, maxOutput: 1000 }), /head wrote more than 1000 bytes/);
  });

  it('a launcher that dies fails the runs in hand and is started again for the next', async () => {
    const pending = run('sleep', ['30'], { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    const pid = converterLauncher.pid!;
    const parent = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    assert.equal(parent, process.pid, 'the launcher is a child of this process');
    assert.equal(groupMembers(pid).length, 2, 'the helper and its sleep, in the helper’s group');
    process.kill(pid, 'SIGKILL');
    await assert.rejects(pending, /the converter launcher exited/);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(groupMembers(pid), [], 'the converter of a helper that died is ended with it');
    const { stdout } = await run('echo', ['again'], { timeoutMs: 10_000 });
    assert.equal(stdout.toString(), 'again\n');
  });

  it('leaves no files behind', async () => {
    await run('cat', [], { input: Buffer.from('x'), timeoutMs: 10_000 });
    await assert.rejects(run('sh', ['-c', 'cat; exit 1'], { input: Buffer.from('y'), timeoutMs: 10_000 }));
    // Killed at once: the helper may open the output file after the caller has been answered.
    await assert.rejects(run('sh', ['-c', 'cat > /dev/null; sleep 5'], { input: Buffer.from('z'), timeoutMs: 1 }), /took longer than 1 ms/);
    const controller = new AbortController();
    const aborted = run('sleep', ['5'], { timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    await assert.rejects(aborted, /aborted/);
    const dir = converterLauncher.directory;
    assert.ok(dir, 'the launcher has its directory');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(readdirSync(dir), [], 'every input and output file removed, of killed runs too');
  });

  it('a large process starts converters without holding its event loop (fork happens in the small launcher)', async () => {
    // ≈ 600 MB of live objects and buffers: what an MMSC holding large messages looks like.
    const ballast: unknown[] = [];
    for (let i = 0; i < 400; i++) ballast.push(Buffer.alloc(1 << 20, i));
    for (let i = 0; i < 1_000_000; i++) ballast.push({ i, s: `k${i}` });
    // What one start holds the loop for: the fork happens inside the call, before it returns.
    const held = async (start: () => Promise<unknown>): Promise<number> => {
      const begun = performance.now();
      const started = start();
      const ms = performance.now() - begun;
      await started;
      return ms;
    };
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!;
    await run('true', [], { timeoutMs: 10_000 }); // the launcher is up
    // Alternated, and compared by median: a garbage collection of the ballast or another process's
    // burst lands on a few starts of either kind, the fork on every direct one.
    const direct: number[] = [];
    const launched: number[] = [];
    for (let i = 0; i < 9; i++) {
      direct.push(await held(() => new Promise((r) => spawn('true').on('close', r))));
      launched.push(await held(() => run('true', [], { timeoutMs: 10_000 })));
    }
    // Not a speed assertion: the ratio shows whose process forked, whatever the machine's load.
    const [d, l] = [median(direct), median(launched)];
    console.log(`# figure: a start held the loop ${l.toFixed(2)} ms through the launcher, ${d.toFixed(2)} ms spawned here (medians of 9)`);
    assert.ok(l < d, `loop held ${l.toFixed(1)} ms (launcher) vs ${d.toFixed(1)} ms (spawned here), medians of 9`);
    ballast.length = 0;
    const dir = converterLauncher.directory!;
    converterLauncher.close();
    assert.ok(!existsSync(dir), 'close removes the directory');
  });
});
