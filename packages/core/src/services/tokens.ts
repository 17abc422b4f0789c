import type { ServiceIdentifier } from 'inversify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ChargingBackend } from './charging-backend.js';
import type { Clock } from '../util/clock.js';
import type { Deliverer } from './deliverer.js';
import type { JobQueue } from './job-queue.js';
import type { MessageStore } from './message-store.js';
import type { PushBearer } from './push-bearer.js';
import type { ReportSender } from './report-sender.js';
import type { RoutingResolver } from './routing-resolver.js';
import type { Transcoder } from './transcoder.js';

function token<T>(name: string): ServiceIdentifier<T> & symbol {
  return Symbol.for(`openmmsc.${name}`) as ServiceIdentifier<T> & symbol;
}

/**
 * Service tokens of the kernel's inversify container. Single services (one implementation chosen
 * by config) and multi services (every provider is used, in config order) are listed apart.
 */
export const Services = {
  // Kernel-owned singletons.
  MessageStore: token<MessageStore>('MessageStore'),
  JobQueue: token<JobQueue>('JobQueue'),
  Logger: token<Logger>('Logger'),
  Metrics: token<Registry>('Metrics'),
  Clock: token<Clock>('Clock'),
  // Plugin-provided, exactly one chosen (config `services.<name>` picks when several offer it).
  PushBearer: token<PushBearer>('PushBearer'),
  Transcoder: token<Transcoder>('Transcoder'),
  // Plugin-provided, every provider used.
  RoutingResolver: token<RoutingResolver>('RoutingResolver'),
  ChargingBackend: token<ChargingBackend>('ChargingBackend'),
  // Plugin-provided, one per target / interface name.
  Deliverer: token<Deliverer>('Deliverer'),
  ReportSender: token<ReportSender>('ReportSender'),
} as const;

export interface ServiceTypes {
  PushBearer: PushBearer;
  Transcoder: Transcoder;
  RoutingResolver: RoutingResolver;
  ChargingBackend: ChargingBackend;
  Deliverer: Deliverer;
  ReportSender: ReportSender;
}

/** Services a plugin may provide, and how many of each the kernel binds. */
export const SERVICE_CARDINALITY = {
  PushBearer: 'single',
  Transcoder: 'single',
  RoutingResolver: 'multi',
  ChargingBackend: 'multi',
  Deliverer: 'named',
  ReportSender: 'named',
} as const satisfies Record<keyof ServiceTypes, 'single' | 'multi' | 'named'>;

export type ProvidableService = keyof ServiceTypes;
