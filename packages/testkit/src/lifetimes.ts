import { after, before } from 'node:test';

/** Anything a test starts and must stop again: a test MMSC, a simulated peer, a rig of several. */
export interface Stoppable {
  stop(): unknown;
}

/**
 * Starts a fixture before the tests of the enclosing `describe` and stops it after them; what it
 * returns stands for the started fixture (every property is read from it when a test reads it),
 * so a suite writes `const rig = suiteFixture(() => startRig())` where it would otherwise declare
 * a variable and two hooks. Reading it outside the tests (before `before` ran) throws.
 */
export function suiteFixture<T extends Stoppable & object>(start: () => Promise<T>): T {
  let live: T | undefined;
  before(async () => {
    live = await start();
  });
  after(async () => {
    await live?.stop();
    live = undefined;
  });
  const current = (): T => {
    if (!live) throw new Error('suiteFixture: read outside the tests of its describe (or its start failed)');
    return live;
  };
  return new Proxy({} as T, {
    get(_, key) {
      const target = current();
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(_, key, value) {
      return Reflect.set(current(), key, value);
    },
    has(_, key) {
      return Reflect.has(current(), key);
    },
  });
}

/**
 * Runs `body` with what `start` gave, then stops it (and `alsoStop`, in that order) whether the
 * body passed or threw: the `try { … } finally { await t.stop(); }` of a test that starts its own
 * MMSC.
 */
export async function whileRunning<T extends Stoppable, R>(start: T | Promise<T>, body: (started: T) => Promise<R>, ...alsoStop: Stoppable[]): Promise<R> {
  const started = await start;
  try {
    return await body(started);
  } finally {
    await stopAll(started, ...alsoStop);
  }
}

/** Stops each in turn, every one even when an earlier one fails; the first failure is thrown after. */
export async function stopAll(...things: Array<Stoppable | undefined>): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const thing of things) {
    try {
      await thing?.stop();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
