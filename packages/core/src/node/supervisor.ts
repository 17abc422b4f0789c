import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Counters } from '../counters/counters.js';
import { answerCounters, type CountersRequest } from './ipc-counters.js';
import { isFromWorker, WORKER_SLOT_ENV, type FromWorker, type ToWorker, type WorkerStats } from './messages.js';
import { nodeMetricsText } from './node-metrics.js';

export interface SupervisorOptions {
  workers: number;
  log: Logger;
  /** The node's counters when the store is embedded (workers reach them over IPC). */
  counters?: Counters | undefined;
  /** How long a worker may take to stop gracefully before it is killed. */
  stopTimeoutMs: number;
  /** Called before a dead worker's replacement is forked (e.g. to log or count it). */
  onRestart?: (slot: number, code: number | null, signal: string | null) => void;
}

interface Slot {
  slot: number;
  worker: Worker;
  ready: boolean;
  /** Deaths in a row without a successful start, for the restart back-off. */
  failures: number;
}

const MAX_RESTART_DELAY_MS = 10_000;
/** A worker that has not sent its figures by then is left out of them (it may be hung or dying). */
const STATS_TIMEOUT_MS = 2000;

/**
 * The primary of a multi-worker node: forks one worker per slot (node:cluster, so that they
 * share the listening ports), answers their counters calls, restarts a worker that dies (with
 * back-off while it keeps dying), and stops them all gracefully. A worker that fails while the
 * node starts fails the start.
 */
export class Supervisor {
  readonly #opts: SupervisorOptions;
  readonly #slots = new Map<number, Slot>();
  readonly #stats = new Map<number, (stats: WorkerStats) => void>();
  #nextStatsId = 0;
  #stopping = false;
  #info: Record<string, unknown> = {};
  #restarts = 0;

  constructor(opts: SupervisorOptions) {
    this.#opts = opts;
  }

  /** What the first worker reported when ready (its listeners' URLs, as `describe` chose). */
  get info(): Record<string, unknown> {
    return this.#info;
  }

  /** Workers restarted since the start. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Process ids of the live workers, by slot. */
  pids(): Map<number, number> {
    return new Map([...this.#slots].flatMap(([slot, s]) => (s.worker.process.pid ? [[slot, s.worker.process.pid] as [number, number]] : [])));
  }

  /** Forks every worker and waits until all are ready; if one fails, stops the others and throws. */
  async start(): Promise<void> {
    const starts = Array.from({ length: this.#opts.workers }, (_, i) => this.#fork(i + 1, 0));
    const outcomes = await Promise.allSettled(starts);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) {
      await this.stop();
      throw failed.reason;
    }
  }

  /** Asks each worker to stop gracefully and waits for all to exit (killing one that takes too long). */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#slots.values()].map((s) => this.#stopWorker(s.worker)));
  }

  /** Each live worker's figures; a worker that does not answer within 2 s is left out. */
  async stats(): Promise<WorkerStats[]> {
    const asks = [...this.#slots.values()].filter((s) => s.ready && s.worker.isConnected()).map((s) => {
      const id = ++this.#nextStatsId;
      return new Promise<WorkerStats | undefined>((resolve) => {
        const timer = setTimeout(() => {
          this.#stats.delete(id);
          resolve(undefined);
        }, STATS_TIMEOUT_MS).unref();
        this.#stats.set(id, (stats) => {
          clearTimeout(timer);
          resolve(stats);
        });
        this.#send(s.worker, { openmmsc: 'stats', id });
      });
    });
    return (await Promise.all(asks)).filter((s): s is WorkerStats => s !== undefined);
  }

  /** The node's metrics exposition, for a worker's `/metrics`. */
  async metricsText(): Promise<string> {
    return nodeMetricsText(await this.stats(), this.#opts.workers);
  }

  /** Forks the worker of `slot`; resolves when it is ready, rejects when it fails or dies first. */
  #fork(slot: number, failures: number): Promise<void> {
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot) });
    const entry: Slot = { slot, worker, ready: false, failures };
    this.#slots.set(slot, entry);
    return new Promise<void>((resolve, reject) => {
      let failure: string | undefined;
      worker.on('message', (message: unknown) => {
        if (!isFromWorker(message) && (message as { openmmsc?: string } | null)?.openmmsc !== 'counters') return;
        const m = message as FromWorker | CountersRequest;
        if (m.openmmsc === 'ready') {
          entry.ready = true;
          entry.failures = 0;
          if (slot === 1 || Object.keys(this.#info).length === 0) this.#info = m.info;
          resolve();
        } else if (m.openmmsc === 'failed') failure = m.message;
        else if (m.openmmsc === 'stats-reply') {
          this.#stats.get(m.id)?.(m.stats);
          this.#stats.delete(m.id);
        } else if (m.openmmsc === 'node-metrics') {
          const id = m.id;
          void this.metricsText().then(
            (body) => this.#send(worker, { openmmsc: 'node-metrics-reply', id, body }),
            (error: unknown) => this.#send(worker, { openmmsc: 'node-metrics-reply', id, error: (error as Error).message }),
          );
        } else if (m.openmmsc === 'counters' && this.#opts.counters) {
          void answerCounters(this.#opts.counters, m).then((reply) => this.#send(worker, reply));
        }
      });
      worker.once('exit', (code, signal) => {
        if (this.#slots.get(slot)?.worker === worker) this.#slots.delete(slot);
        if (!entry.ready) {
          reject(new Error(`worker ${slot} failed to start: ${failure ?? `exited with ${signal ?? code}`}`));
          // Restart only a replacement; a worker that fails while the node starts fails the start.
          if (failures > 0) this.#restart(slot, code, signal, failures);
          return;
        }
        this.#restart(slot, code, signal, 0);
      });
    });
  }

  #restart(slot: number, code: number | null, signal: string | null, failures: number): void {
    if (this.#stopping) return;
    const delay = Math.min(MAX_RESTART_DELAY_MS, failures === 0 ? 0 : 100 * 2 ** failures);
    this.#opts.log.warn({ worker: slot, code, signal, restartInMs: delay }, `worker ${slot} exited; starting a new one`);
    this.#opts.onRestart?.(slot, code, signal);
    this.#restarts++;
    setTimeout(() => {
      if (this.#stopping) return;
      // The new worker gives back the jobs its predecessor had claimed (same slot) when it starts.
      this.#fork(slot, failures + 1).catch((error: unknown) => this.#opts.log.error({ err: error, worker: slot }, 'worker restart failed'));
    }, delay).unref();
  }

  async #stopWorker(worker: Worker): Promise<void> {
    if (worker.isDead()) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.#send(worker, { openmmsc: 'stop' });
    const timer = setTimeout(() => {
      this.#opts.log.error({ pid: worker.process.pid }, 'worker did not stop in time; killing it');
      worker.process.kill('SIGKILL');
    }, this.#opts.stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }

  #send(worker: Worker, message: ToWorker | { openmmsc: 'counters-reply' }): void {
    if (!worker.isConnected()) return;
    try {
      worker.send(message);
    } catch {
      // The worker is going away; its exit is handled there.
    }
  }
}
