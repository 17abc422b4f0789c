import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { KernelConfig } from '../config/kernel-schema.js';
import { MemoryCounters, RedisCounters, type Counters } from '../counters/counters.js';
import type { JobQueue } from '../services/job-queue.js';
import type { Clock } from '../util/clock.js';
import { AdmissionControl } from './admission.js';
import { DiskWatermark, systemStatfs, type StatfsSource } from './disk-watermark.js';
import { SenderLimits } from './sender-limits.js';

export interface ProtectionDeps {
  config: KernelConfig;
  queue: JobQueue;
  registry: Registry;
  log: Logger;
  clock: Clock;
  inFlight: () => number;
  statfs?: StatfsSource | undefined;
  /** Counters given by the caller (a worker's, kept by its primary) instead of the store's. */
  counters?: Counters | undefined;
}

/** The kernel's defences against greedy senders and overload, started and stopped with the MMSC. */
export interface Protection {
  admission: AdmissionControl;
  senderLimits: SenderLimits;
  disk: DiskWatermark | undefined;
  counters: Counters;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The directory whose disk holds the store: the configured one, else the SQLite store's. */
function watchedDirectory(config: KernelConfig): string | undefined {
  if (config.admission.diskPath) return config.admission.diskPath;
  return config.store.type === 'sqlite' ? dirname(config.store.path) : undefined;
}

/** Counters on the store's server, so every node of a cluster counts together; in process on SQLite. */
async function openCounters(config: KernelConfig, clock: Clock): Promise<Counters> {
  const store = config.store;
  if (store.type === 'redis') return new RedisCounters(store, `${store.prefix}:limits:`);
  if (store.type === 'postgres') {
    const { PostgresCounters } = await import('../postgres/postgres-counters.js');
    return PostgresCounters.open({ url: store.url, schema: store.schema ?? 'openmmsc', poolSize: store.poolSize });
  }
  return new MemoryCounters(() => clock.now());
}

/**
 * Counters shared by the cluster (on the store's Redis or PostgreSQL, else in this process),
 * per-sender limits over them, the disk watermark and the admission check.
 */
export async function createProtection(d: ProtectionDeps): Promise<Protection> {
  const { config } = d;
  const counters = d.counters ?? (await openCounters(config, d.clock));
  const limited = new Counter({
    name: 'openmmsc_sender_limited_total',
    help: 'Messages refused for a per-sender or per-peer volume limit, by ingress interface and scope',
    labelNames: ['interface', 'scope'],
    registers: [d.registry],
  });
  const senderLimits = new SenderLimits(counters, config.limits.senders, config.limits.peers, (iface, scope) => limited.inc({ interface: iface, scope }));
  const path = watchedDirectory(config);
  const a = config.admission;
  const disk =
    path && a.minFreeDisk > 0
      ? new DiskWatermark(path, a.minFreeDisk, a.diskInterval, d.statfs ?? systemStatfs, (error) => d.log.warn({ err: error, path }, 'could not read free disk space'))
      : undefined;
  const admission = new AdmissionControl(a, {
    queue: d.queue,
    inFlight: d.inFlight,
    disk,
    registry: d.registry,
    onError: (error) => d.log.warn({ err: error }, 'admission: could not read the queue backlog'),
  });
  return {
    admission,
    senderLimits,
    disk,
    counters,
    async start() {
      await disk?.start();
      admission.start();
    },
    async stop() {
      admission.stop();
      disk?.stop();
      await counters.close();
    },
  };
}
