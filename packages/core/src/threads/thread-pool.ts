import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ThreadCall, ThreadReady, ThreadReply } from './thread-protocol.js';

export interface ThreadPoolOptions {
  /** Threads to run, at least 1. */
  size: number;
  /** Names the pool in its errors. */
  name: string;
}

/** A call whose thread stopped (crashed, ran out of memory, the pool closed) before it answered. */
export class ThreadStoppedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThreadStoppedError';
  }
}

// CommonJS that each thread runs (`eval`): it loads the handler module. A module in TypeScript (a
// source checkout run through tsx) first gets tsx's loader, which threads do not inherit.
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.loader) (await import(workerData.loader)).register();
  await import(workerData.module);
})().catch((error) => process.nextTick(() => { throw error; }));
`;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Settles when the handler is installed (or the thread failed before that). */
  ready: Promise<void>;
  isReady: boolean;
}

/** A call answered (or never sent): the thread, idle again, stops holding the process open. */
function settled(thread: Thread, id: number): void {
  thread.pending.delete(id);
  if (thread.pending.size === 0) thread.worker.unref();
}

function loaderFor(module: URL): string | undefined {
  if (!fileURLToPath(module).endsWith('.ts')) return undefined;
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    throw new Error(`${module.href} is TypeScript, and tsx (which threads need to load it) is not installed`);
  }
}

/**
 * Worker threads that run one module's handler (see `serveThread`), for CPU-bound work that
 * would otherwise hold the event loop: each call goes to the thread with the fewest calls in
 * flight. A thread that dies fails its calls with ThreadStoppedError and is replaced. An idle
 * thread does not keep the process alive; a call in flight does, as any I/O would.
 */
export class ThreadPool<Request, Response> {
  readonly #module: URL;
  readonly #options: ThreadPoolOptions;
  readonly #loader: string | undefined;
  readonly #threads = new Set<Thread>();
  #next = 0;
  #closed = false;

  private constructor(module: URL, options: ThreadPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`${options.name}: a thread pool needs at least 1 thread, not ${options.size}`);
    this.#module = module;
    this.#options = options;
    this.#loader = loaderFor(module);
  }

  /** Starts the threads; fails (and stops them all) when one cannot load its module. */
  static async start<Request, Response>(module: URL, options: ThreadPoolOptions): Promise<ThreadPool<Request, Response>> {
    const pool = new ThreadPool<Request, Response>(module, options);
    const threads = Array.from({ length: options.size }, () => pool.#spawn());
    try {
      await Promise.all(threads.map((t) => t.ready));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Threads running now. */
  get size(): number {
    return this.#threads.size;
  }

  /**
   * Runs `request` on a thread. Buffers in `transfer` move to the thread (they are empty here
   * afterwards) instead of being copied.
   */
  run(request: Request, transfer: readonly ArrayBuffer[] = []): Promise<Response> {
    if (this.#closed) return Promise.reject(new ThreadStoppedError(`${this.#options.name}: the thread pool is closed`));
    let thread: Thread | undefined;
    for (const t of this.#threads) if (!thread || t.pending.size < thread.pending.size) thread = t;
    if (!thread) return Promise.reject(new ThreadStoppedError(`${this.#options.name}: no thread is running`));
    const id = ++this.#next;
    return new Promise<Response>((resolve, reject) => {
      thread.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // A call in flight keeps the process alive, as any I/O would; an idle thread does not.
      if (thread.pending.size === 1) thread.worker.ref();
      try {
        thread.worker.postMessage({ id, request } satisfies ThreadCall, [...transfer]);
      } catch (error) {
        settled(thread, id);
        reject(error as Error);
      }
    });
  }

  /** Stops every thread; calls in flight fail with ThreadStoppedError. */
  async close(): Promise<void> {
    this.#closed = true;
    const threads = [...this.#threads];
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  #spawn(): Thread {
    const worker = new Worker(BOOT, { eval: true, workerData: { module: this.#module.href, loader: this.#loader } });
    let startFailed: (error: Error) => void = () => {};
    const thread: Thread = {
      worker,
      pending: new Map(),
      isReady: false,
      ready: new Promise<void>((resolve, reject) => {
        startFailed = reject;
        worker.once('message', (m: ThreadReady) => {
          if (m.ready) {
            thread.isReady = true;
            // Held open until now, while `start` waits for this; `unref` only after the
            // 'message' listeners are on (one added later would hold the process again).
            if (thread.pending.size === 0) worker.unref();
            resolve();
          }
        });
      }),
    };
    thread.ready.catch(() => {});
    this.#threads.add(thread);
    let failure: Error | undefined;
    worker.on('message', (m: ThreadReply | ThreadReady) => {
      if (!('id' in m)) return;
      const call = thread.pending.get(m.id);
      if (!call) return;
      settled(thread, m.id);
      if ('error' in m) call.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
      else call.resolve(m.value);
    });
    worker.on('error', (error) => {
      failure = error;
    });
    worker.on('exit', (code) => {
      this.#threads.delete(thread);
      const why = this.#closed ? 'the thread pool closed' : `a thread stopped (${failure ? failure.message : `exit code ${code}`})`;
      startFailed(new Error(`${this.#options.name}: ${why} before it was ready`, failure ? { cause: failure } : undefined));
      for (const call of thread.pending.values()) call.reject(new ThreadStoppedError(`${this.#options.name}: ${why}`));
      thread.pending.clear();
      // A thread that had started is replaced; one that could not start would fail again.
      if (!this.#closed && thread.isReady) this.#spawn();
    });
    return thread;
  }
}
