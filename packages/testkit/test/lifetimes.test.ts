import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { stopAll, suiteFixture, whileRunning } from '../src/index.js';

class Counter {
  stopped = 0;
  n = 0;
  constructor(readonly name: string) {}
  bump(): number {
    return ++this.n;
  }
  stop(): void {
    this.stopped++;
  }
}

describe('suiteFixture', () => {
  const made: Counter[] = [];
  const c = suiteFixture(async () => {
    const x = new Counter('live');
    made.push(x);
    return x;
  });
  let readTooEarly: unknown;
  try {
    void c.name;
  } catch (error) {
    readTooEarly = error;
  }
  after(() => {
    // Registered after suiteFixture's own hook, so it runs after the fixture was stopped.
    assert.equal(made.length, 1, 'started once for the whole describe');
    assert.equal(made[0]!.stopped, 1, 'stopped once after the tests');
  });

  it('throws a clear error when read before its describe’s tests started', () => {
    assert.match(String(readTooEarly), /suiteFixture: read outside the tests/);
  });

  it('stands for the started fixture: fields, methods bound to it, `in`', () => {
    assert.equal(c.name, 'live');
    assert.equal(c.bump(), 1);
    const { bump } = c;
    assert.equal(bump(), 2, 'a method taken off it still works on the fixture');
    assert.ok('stopped' in c);
    assert.equal(c.stopped, 0, 'not stopped while the tests run');
  });

  it('is the same fixture in the next test, and writes go to it', () => {
    assert.equal(c.n, 2);
    c.n = 10;
    assert.equal(made[0]!.n, 10);
  });
});

describe('whileRunning and stopAll', () => {
  it('stops what was started (and the others, in order) after the body passed, handing back its result', async () => {
    const a = new Counter('a');
    const b = new Counter('b');
    const r = await whileRunning(Promise.resolve(a), async (x) => x.bump() + 41, b);
    assert.equal(r, 42);
    assert.deepEqual([a.stopped, b.stopped], [1, 1]);
  });

  it('stops them after the body threw, and the body’s error is what surfaces', async () => {
    const a = new Counter('a');
    await assert.rejects(
      whileRunning(a, async () => {
        throw new Error('assertion in the body');
      }),
      /assertion in the body/,
    );
    assert.equal(a.stopped, 1);
  });

  it('stopAll stops every one even when an earlier stop fails, then throws the first failure', async () => {
    const order: string[] = [];
    const failing = {
      stop: async () => {
        order.push('failing');
        throw new Error('first stop failed');
      },
    };
    const later = { stop: async () => void order.push('later') };
    await assert.rejects(stopAll(failing, undefined, later), /first stop failed/);
    assert.deepEqual(order, ['failing', 'later']);
  });
});
