import type { Logger } from 'pino';
import type { KernelConfig } from '../config/kernel-schema.js';
import type { AddressingOptions } from '../model/address.js';
import type { JobQueue } from '../services/job-queue.js';
import type { MessageStore } from '../services/message-store.js';
import type { Clock } from '../util/clock.js';
import type { HookRegistry } from './hook-registry.js';
import type { KernelMetrics } from './kernel-metrics.js';
import type { SenderLimits } from './sender-limits.js';
import type { ServiceRegistry } from './service-registry.js';

/** What the kernel's internal modules share. Not part of the public API. */
export interface KernelContext {
  config: KernelConfig;
  addressing: AddressingOptions;
  log: Logger;
  metrics: KernelMetrics;
  clock: Clock;
  store: MessageStore;
  queue: JobQueue;
  hooks: HookRegistry;
  services: ServiceRegistry;
  senderLimits: SenderLimits;
}
