import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { Ability } from '../admin/admin-server.js';
import type { KernelConfig } from '../config/kernel-schema.js';
import type { JobQueue } from '../services/job-queue.js';
import type { DurabilityCheck, MessageStore } from '../services/message-store.js';
import { queueBackendFor } from './backends.js';

/** How long one look at the servers' settings is reused (a fail-over may bring other settings). */
const RECHECK_MS = 30_000;

type Source = { name: 'store' | 'queue'; check: () => Promise<DurabilityCheck> };

/**
 * Compares what "accepted" promises with how the store's and queue's servers are set up: logs a
 * warning at start (and whenever the answer changes, e.g. after a fail-over to a server set up
 * differently), answers `/ready/durability`, and sets `openmmsc_durability_kept{service}`.
 */
export class DurabilityWatch {
  readonly #sources: Source[];
  readonly #log: Logger;
  readonly #gauge: Gauge<'service'>;
  #last = new Map<string, DurabilityCheck>();
  #checkedAt = 0;
  #pending: Promise<void> | undefined;

  constructor(sources: Source[], log: Logger, registry: Registry) {
    this.#sources = sources;
    this.#log = log;
    this.#gauge = new Gauge({
      name: 'openmmsc_durability_kept',
      help: "1 when the store's (or queue's) server is set up to keep what an accepted message is promised (e.g. Redis appendfsync for durability: always), else 0",
      labelNames: ['service'],
      registers: [registry],
      aggregator: 'min',
    });
  }

  /** Checks now (at start), logging what cannot be kept. */
  async check(): Promise<void> {
    this.#pending ??= this.#run().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  /** `/ready/durability`: not ok when a server cannot keep the promise or could not be asked. */
  async ability(): Promise<Ability> {
    if (Date.now() - this.#checkedAt > RECHECK_MS) await this.check();
    const bad = [...this.#last].filter(([, c]) => !c.ok);
    const all = [...this.#last].map(([name, c]) => `${name}: ${c.detail}`).join('; ');
    return bad.length === 0 ? { ok: true, detail: all } : { ok: false, detail: bad.map(([name, c]) => `${name}: ${c.detail}`).join('; ') };
  }

  async #run(): Promise<void> {
    const next = new Map<string, DurabilityCheck>();
    for (const source of this.#sources) {
      let result: DurabilityCheck;
      try {
        result = await source.check();
      } catch (error) {
        result = { ok: false, detail: `could not be checked: ${(error as Error).message}` };
      }
      next.set(source.name, result);
      this.#gauge.set({ service: source.name }, result.ok ? 1 : 0);
      const before = this.#last.get(source.name);
      if (!result.ok && before?.detail !== result.detail) this.#log.warn({ service: source.name }, `durability: ${source.name}: ${result.detail}`);
      else if (result.ok && before && !before.ok) this.#log.info({ service: source.name }, `durability: ${source.name}: ${result.detail}`);
    }
    this.#last = next;
    this.#checkedAt = Date.now();
  }
}

/** The store's and (when on another server) the queue's durability, as the servers are set up. */
export function watchDurability(config: KernelConfig, store: MessageStore, queue: JobQueue, log: Logger, registry: Registry): DurabilityWatch {
  const sources: Source[] = [];
  if (store.durability) sources.push({ name: 'store', check: () => store.durability!() });
  const queueBackend = queueBackendFor(config.store, config.queue);
  if (queue.durability && JSON.stringify(queueBackend) !== JSON.stringify(config.store)) {
    sources.push({ name: 'queue', check: () => queue.durability!() });
  }
  return new DurabilityWatch(sources, log, registry);
}
