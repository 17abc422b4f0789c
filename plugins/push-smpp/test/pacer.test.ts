import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WaitCancelled } from '../src/limits.js';
import { LinkPacer } from '../src/pacer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LinkPacer: AIMD window and throttle back-off', () => {
  it('serves waiters in order within the window', async () => {
    const p = new LinkPacer({ window: 2, backoffBaseMs: 50, backoffMaxMs: 400 });
    const order: number[] = [];
    const a = await p.acquire();
    const b = await p.acquire();
    const c = p.acquire().then((s) => (order.push(3), s));
    const d = p.acquire().then((s) => (order.push(4), s));
    assert.equal(p.held, 2);
    assert.equal(p.waiting, 2);
    a.release();
    b.release();
    (await c).release();
    (await d).release();
    assert.deepEqual(order, [3, 4]);
    assert.equal(p.peak, 2);
    assert.equal(p.held, 0);
  });

  it('halves the window and pauses on a throttle; answers from before the episode do not count twice', async () => {
    const p = new LinkPacer({ window: 8, backoffBaseMs: 60, backoffMaxMs: 1000 });
    const inFlight = await Promise.all(Array.from({ length: 8 }, () => p.acquire()));
    for (const s of inFlight) p.onThrottle(s); // eight throttled answers to one burst
    for (const s of inFlight) s.release();
    assert.equal(p.limit, 4, 'one decrease per episode step, not eight');
    assert.equal(p.throttled, true);
    assert.ok(p.paused);
    const t0 = Date.now();
    const probe = await p.acquire();
    assert.ok(Date.now() - t0 >= 55, 'nothing goes before the pause ends');

    // The probe is throttled too: the pause doubles and the window halves again.
    p.onThrottle(probe);
    probe.release();
    assert.equal(p.limit, 2);
    const t1 = Date.now();
    const next = await p.acquire();
    assert.ok(Date.now() - t1 >= 115, `second pause ${Date.now() - t1} ms, expected about 120`);

    // Accepted: the episode is over, the window grows back one per window of answers.
    let cleared = 0;
    p.on('clear', () => cleared++);
    p.onSuccess();
    next.release();
    assert.equal(cleared, 1);
    assert.equal(p.throttled, false);
    assert.equal(p.limit, 2); // 1 answer of 2 so far
    p.onSuccess();
    assert.equal(p.limit, 3);
    for (let i = 0; i < 100; i++) p.onSuccess();
    assert.equal(p.limit, 8, 'never past the configured window');

    // A new episode starts again from the base pause.
    const s = await p.acquire();
    p.onThrottle(s);
    s.release();
    assert.ok(p.pausedUntil - Date.now() <= 60);
  });

  it('caps the pause while the SMSC keeps throttling', async () => {
    const p = new LinkPacer({ window: 1, backoffBaseMs: 10, backoffMaxMs: 40 });
    const pauses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await p.acquire();
      const before = Date.now();
      p.onThrottle(s);
      pauses.push(p.pausedUntil - before);
      s.release();
    }
    assert.deepEqual(pauses.map((ms) => Math.round(ms / 10) * 10), [10, 20, 40, 40, 40]);
  });

  it('gives up at the deadline (busy), and fails waiters when the link goes down', async () => {
    const p = new LinkPacer({ window: 1, backoffBaseMs: 50, backoffMaxMs: 50 });
    const held = await p.acquire();
    await assert.rejects(p.acquire({ deadline: Date.now() + 30 }), (e: unknown) => e instanceof WaitCancelled && e.why === 'busy');
    const waiting = p.acquire();
    p.cancelWaiters('link down');
    await assert.rejects(waiting, (e: unknown) => e instanceof WaitCancelled && e.why === 'down');
    const ac = new AbortController();
    const aborted = p.acquire({ signal: ac.signal });
    ac.abort();
    await assert.rejects(aborted, (e: unknown) => e instanceof WaitCancelled && e.why === 'aborted');
    assert.equal(p.waiting, 0);
    held.release();
    await sleep(1);
    (await p.acquire()).release();
  });
});
