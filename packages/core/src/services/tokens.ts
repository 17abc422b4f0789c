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

/** The kernel-owned services by name, in the order the kernel binds them. */
export const KERNEL_SERVICES = ['MessageStore', 'JobQueue', 'Logger', 'Metrics', 'Clock', 'ContentLinks'] as const satisfies ReadonlyArray<keyof KernelServiceTypes>;
const everyKernelServiceListed: Record<Exclude<keyof KernelServiceTypes, (typeof KERNEL_SERVICES)[number]>, never> = {};
void everyKernelServiceListed;

type TokensOf<M> = { readonly [K in keyof M]: ServiceToken<M[K]> };

function tokensOf<M>(names: ReadonlyArray<keyof M & string>): TokensOf<M> {
  return Object.fromEntries(names.map((name) => [name, kernelToken(name)])) as unknown as TokensOf<M>;
}

/**
 * Service tokens of the kernel's inversify container, one per name of `KernelServiceTypes` (the
 * kernel's own, bound before any plugin is set up) and of `ServiceTypes` (what plugins provide:
 * how many of each the kernel uses is `SERVICE_CARDINALITY`).
 */
export const Services: TokensOf<KernelServiceTypes> & TokensOf<ServiceTypes> = {
  ...tokensOf<KernelServiceTypes>(KERNEL_SERVICES),
  ...tokensOf<ServiceTypes>(Object.keys(SERVICE_CARDINALITY) as Array<keyof ServiceTypes>),
};

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
