import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { KernelConfig } from './config/kernel-schema.js';
import type { ResolvedConfig } from './config/resolve-config.js';
import type { StatfsSource } from './kernel/disk-watermark.js';
import { createKernelMetrics, type KernelMetrics } from './kernel/kernel-metrics.js';
import type { AddressingOptions } from './model/address.js';
import { RuntimeApi } from './mmsc/runtime-api.js';
import { startKernel } from './mmsc/start.js';
import type { Started } from './mmsc/started.js';
import { stopKernel } from './mmsc/stop.js';
import type { JobQueue } from './services/job-queue.js';
import type { MessageStore } from './services/message-store.js';
import type { WorkerRole } from './node/worker-role.js';
import { systemClock, type Clock } from './util/clock.js';

export interface MmscOptions {
  clock?: Clock;
  logger?: Logger;
  /** Where free disk space is read from (tests stand in for a full disk). */
  statfs?: StatfsSource;
  /** This process is one worker of a multi-worker node (set by `runNode`). */
  worker?: WorkerRole;
}

type Phase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * A running MMSC: the kernel with its plugins, store, queue and admin server. Starting and
 * stopping live in `mmsc/start.ts` and `mmsc/stop.ts`, the runtime API in `mmsc/runtime-api.ts`.
 */
export class Mmsc extends RuntimeApi {
  readonly config: KernelConfig;
  readonly resolved: ResolvedConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly metrics: KernelMetrics = createKernelMetrics();

  protected current: Started | undefined;
  protected readonly addressing: AddressingOptions;
  private phase: Phase = 'created';
  private readonly statfs: StatfsSource | undefined;
  private readonly worker: WorkerRole | undefined;

  constructor(resolved: ResolvedConfig, opts: MmscOptions = {}) {
    super();
    this.resolved = resolved;
    this.config = resolved.kernel;
    this.clock = opts.clock ?? systemClock;
    this.statfs = opts.statfs;
    this.worker = opts.worker;
    const base = { node: this.config.node.id, ...(opts.worker ? { worker: opts.worker.slot } : {}) };
    this.log = opts.logger ?? pino({ level: this.config.log.level, base });
    const a = this.config.addressing;
    this.addressing = {
      internationalPrefix: a.internationalPrefix,
      nationalPrefix: a.nationalPrefix,
      shortCodeMaxDigits: a.shortCodeMaxDigits,
      ...(a.defaultCountryCode ? { defaultCountryCode: a.defaultCountryCode } : {}),
    };
  }

  /** The admin server's URL, once started (when enabled). */
  get adminUrl(): string | undefined {
    return this.current?.admin?.url;
  }

  get registry(): Registry {
    return this.metrics.registry;
  }

  get store(): MessageStore {
    return this.started.k.store;
  }

  get queue(): JobQueue {
    return this.started.k.queue;
  }

  /** Plugin names in config order. */
  get pluginNames(): string[] {
    return (this.current?.plugins ?? []).map((p) => p.name);
  }

  async start(): Promise<void> {
    if (this.phase !== 'created') throw new Error(`cannot start an MMSC that is ${this.phase}`);
    this.phase = 'starting';
    const input = {
      resolved: this.resolved,
      config: this.config,
      log: this.log,
      clock: this.clock,
      metrics: this.metrics,
      addressing: this.addressing,
      statfs: this.statfs,
      runtime: this,
      inFlight: () => this.inFlight.size,
      accepting: () => this.phase === 'running',
      worker: this.worker,
    };
    try {
      await startKernel(input, (started) => {
        this.current = started;
      });
    } catch (error) {
      this.phase = 'stopped';
      throw error;
    }
    this.phase = 'running';
    this.current!.protection.admission.reset();
    this.log.info({ plugins: this.pluginNames, admin: this.adminUrl }, 'OpenMMSC started');
  }

  /** Graceful stop (see `stopKernel`): `/ready` turns 503 and `submit` answers "try again" at once. */
  async stop(): Promise<void> {
    if (this.phase !== 'running') return;
    this.phase = 'stopping';
    await stopKernel(this.started, this.inFlight);
    this.phase = 'stopped';
    this.log.info('stopped');
  }

  protected takesSubmissions(): boolean {
    return this.phase === 'running' || this.phase === 'starting';
  }
}
