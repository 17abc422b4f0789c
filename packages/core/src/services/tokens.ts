import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ChargingBackend } from './charging-backend.js';
import type { ContentLinks } from './content-links.js';
import type { Clock } from '../util/clock.js';
import type { Deliverer } from './deliverer.js';
import type { JobQueue } from './job-queue.js';
import type { MessageStore } from './message-store.js';
import type { PushBearer } from './push-bearer.js';
import type { ReportSender } from './report-sender.js';
import type { RoutingResolver } from './routing-resolver.js';
import type { Transcoder } from './transcoder.js';

/**
 * A key of the kernel's service container that carries the type bound to it, so that
 * `ctx.services.get(token)` is typed without a cast. Two copies of a package that make a token
 * with the same name get the same key (`Symbol.for`).
 */
export type ServiceToken<T> = symbol & { readonly __service?: T };

/**
 * Makes a token for a service a plugin offers other plugins: `serviceToken<Dictionary>('@acme/plugin-x/dictionary')`.
 * Name it after the package, so that tokens of different plugins never meet.
 */
export function serviceToken<T>(name: string): ServiceToken<T> {
  return Symbol.for(name) as ServiceToken<T>;
}

function kernelToken<T>(name: string): ServiceToken<T> {
  return serviceToken<T>(`openmmsc.${name}`);
}

/**
 * Service tokens of the kernel's inversify container. Single services (one implementation chosen
 * by config) and multi services (every provider is used, in config order) are listed apart.
 */
export const Services = {
  // Kernel-owned singletons, bound before any plugin is set up (the kernel builds its own
  // context from them too).
  MessageStore: kernelToken<MessageStore>('MessageStore'),
  JobQueue: kernelToken<JobQueue>('JobQueue'),
  Logger: kernelToken<Logger>('Logger'),
  Metrics: kernelToken<Registry>('Metrics'),
  Clock: kernelToken<Clock>('Clock'),
  ContentLinks: kernelToken<ContentLinks>('ContentLinks'),
  // Plugin-provided, exactly one chosen (config `services.<name>` picks when several offer it).
  PushBearer: kernelToken<PushBearer>('PushBearer'),
  Transcoder: kernelToken<Transcoder>('Transcoder'),
  // Plugin-provided, every provider used.
  RoutingResolver: kernelToken<RoutingResolver>('RoutingResolver'),
  ChargingBackend: kernelToken<ChargingBackend>('ChargingBackend'),
  // Plugin-provided, one per target / interface name.
  Deliverer: kernelToken<Deliverer>('Deliverer'),
  ReportSender: kernelToken<ReportSender>('ReportSender'),
} as const;

/** The kernel-owned services, bound by the kernel itself before plugins are set up. */
export interface KernelServiceTypes {
  MessageStore: MessageStore;
  JobQueue: JobQueue;
  Logger: Logger;
  Metrics: Registry;
  Clock: Clock;
  ContentLinks: ContentLinks;
}

/** Services plugins provide to the kernel. */
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
export type SingleService = { [K in ProvidableService]: (typeof SERVICE_CARDINALITY)[K] extends 'single' ? K : never }[ProvidableService];
export type MultiService = { [K in ProvidableService]: (typeof SERVICE_CARDINALITY)[K] extends 'multi' ? K : never }[ProvidableService];
export type NamedService = { [K in ProvidableService]: (typeof SERVICE_CARDINALITY)[K] extends 'named' ? K : never }[ProvidableService];

/** Resolves services by token from the kernel's container (`ctx.services`). */
export interface ServiceResolver {
  /**
   * The one implementation bound to `token`. Throws when none is bound, or when several are (a
   * multi service: use `getAll`). Kernel services resolve from `setup` on; what plugins provide
   * resolves once every plugin is set up (from hooks and `start`).
   */
  get<T>(token: ServiceToken<T>): T;
  /** Like `get`, `undefined` when nothing is bound. */
  getOptional<T>(token: ServiceToken<T>): T | undefined;
  /** Every implementation bound to `token`, in config order (none: an empty list). */
  getAll<T>(token: ServiceToken<T>): T[];
  /** The implementation of a named service (`Deliverer` by route target, `ReportSender` by interface). */
  getNamed<T>(token: ServiceToken<T>, name: string): T | undefined;
}
