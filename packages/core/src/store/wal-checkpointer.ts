import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the commit
 * that crosses `wal_autocheckpoint`: the event loop that answers clients then copies megabytes
 * of pages into the database file and waits for two fsyncs. Here one worker thread per process
 * holds its own connection to each watched file and checkpoints it (PASSIVE: never waiting for
 * or blocking a writer) every `INTERVAL_MS`; the writer's own automatic checkpoint stays as a
 * backstop far above what the thread lets the WAL reach, should the thread fall behind.
 */
const INTERVAL_MS = 50;
/** Pages (16 KB) the WAL may reach before the writer checkpoints itself: 256 MB. */
export const BACKSTOP_PAGES = 16_384;

// CommonJS run by the worker (`eval`): no file of its own to resolve under tsx, dist or a bundle.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const files = new Map();
const tick = () => {
  for (const [path, db] of files) {
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or gone: the next tick tries again */ }
  }
};
const timer = setInterval(tick, workerData.interval);
parentPort.on('message', (m) => {
  if (m.op === 'watch' && !files.has(m.path)) {
    try {
      const db = new Database(m.path, { timeout: 0 });
      files.set(m.path, db);
    } catch { /* the writer keeps its backstop */ }
  } else if (m.op === 'release') {
    const db = files.get(m.path);
    files.delete(m.path);
    try { db?.close(); } catch {}
  }
  parentPort.postMessage({ id: m.id });
  if (files.size === 0) { clearInterval(timer); parentPort.close(); }
});
`;

interface Pending {
  resolve: () => void;
}

class Checkpointer {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #counts = new Map<string, number>();
  #next = 0;
  #gone = false;

  constructor() {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER, { eval: true, workerData: { driver, interval: INTERVAL_MS }, stdout: false, stderr: false });
    // Never what keeps a process alive; a thread that fails leaves the writers' backstop.
    this.#worker.unref();
    this.#worker.on('message', (m: { id: number }) => {
      this.#pending.get(m.id)?.resolve();
      this.#pending.delete(m.id);
    });
    const gone = () => {
      this.#gone = true;
      for (const p of this.#pending.values()) p.resolve();
      this.#pending.clear();
      if (current === this) current = undefined;
    };
    this.#worker.on('error', gone);
    this.#worker.on('exit', gone);
  }

  get gone(): boolean {
    return this.#gone;
  }

  watch(path: string): Promise<void> {
    this.#counts.set(path, (this.#counts.get(path) ?? 0) + 1);
    return this.#send('watch', path);
  }

  release(path: string): Promise<void> {
    const left = (this.#counts.get(path) ?? 1) - 1;
    if (left > 0) {
      this.#counts.set(path, left);
      return Promise.resolve();
    }
    this.#counts.delete(path);
    if (this.#counts.size === 0 && current === this) current = undefined;
    return this.#send('release', path);
  }

  #send(op: 'watch' | 'release', path: string): Promise<void> {
    if (this.#gone) return Promise.resolve();
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, { resolve });
      this.#worker.postMessage({ op, path, id });
    });
  }
}

let current: Checkpointer | undefined;

/**
 * Checkpoints `path` off this thread until the returned release is called (before the writer's
 * connection closes, so that the last close, the writer's, removes the WAL).
 */
export function checkpointOffThread(path: string): () => Promise<void> {
  const checkpointer = current && !current.gone ? current : (current = new Checkpointer());
  void checkpointer.watch(path);
  let released = false;
  return () => {
    if (released) return Promise.resolve();
    released = true;
    return checkpointer.release(path);
  };
}
