import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { KernelConfig } from '../config/kernel-schema.js';
import type { StageHooks } from '../pipeline/context.js';
import { STAGES, type StageName } from '../pipeline/stages.js';
import type { KeyValueStore } from '../services/message-store.js';
import type { ProvidableService, ServiceResolver, ServiceToken, ServiceTypes, SingleService } from '../services/tokens.js';
import type { Clock } from '../util/clock.js';
import type { MmscRuntime } from '../runtime.js';
import type { PluginFacts } from './plugin-facts.js';
import type { PluginJobs } from './plugin-jobs.js';

/** What `setup` returns: named hooks, Rollup-style. Every one is optional. */
export interface PluginHooks extends StageHooks {
  /** After every plugin is set up and the queue runs: open listeners here. */
  start?(): Promise<void> | void;
  /**
   * Shutdown, first step: take no new work. A listener whose every exchange is new work (an SMTP
   * or SOAP server) may close here, finishing the requests under way. A listener that also serves
   * exchanges the MMSC started (MM1: handsets fetching what they were notified of, and
   * acknowledging) stays open, refuses only new work ("try later"), and closes in `close`.
   * Jobs still run after this step: services the job hooks use (push bearers, deliverers) must
   * keep working until `close`.
   */
  stop?(): Promise<void> | void;
  /**
   * Shutdown, last step: after the kernel finished running submissions and jobs and waited for
   * notified handsets to fetch (`shutdown.retrievalGrace`). Close remaining listeners, release
   * connections and files. The store is still open.
   */
  close?(): Promise<void> | void;
  /** Readiness for `/ready`: `true`, or a string saying what is not ready. */
  ready?(): Promise<true | string> | true | string;
}

/** Every hook name `setup` may return; anything else is a load error (a misspelt hook would never run). */
const LIFECYCLE_HOOKS = ['start', 'stop', 'close', 'ready'] as const;
export const HOOK_NAMES: readonly (StageName | (typeof LIFECYCLE_HOOKS)[number])[] = [...STAGES, ...LIFECYCLE_HOOKS];
// Fails to compile when PluginHooks gains a hook that HOOK_NAMES does not list.
const everyHookListed: Record<Exclude<keyof PluginHooks, StageName | (typeof LIFECYCLE_HOOKS)[number]>, never> = {};
void everyHookListed;

export interface PluginContext<Options> {
  /** The plugin's name, as in config. */
  readonly name: string;
  /** Options, validated by the plugin's `configSchema`. */
  readonly options: Options;
  /** Directory of the config file, to resolve relative paths in options. */
  readonly baseDir: string;
  readonly config: Readonly<KernelConfig>;
  /**
   * This process's slot (1..N) when the node runs several workers (`node.workers`), else
   * undefined. Each worker runs every plugin: what a plugin publishes to the shared store per
   * process (figures, heartbeats) must be keyed by node and worker, or the workers overwrite each other.
   */
  readonly worker: number | undefined;
  readonly log: Logger;
  readonly metrics: Registry;
  readonly clock: Clock;
  /** Durable key/value space private to this plugin. */
  readonly kv: KeyValueStore;
  /** The running MMSC: submit messages, read and move recipients, send reports. */
  readonly mmsc: MmscRuntime;
  /**
   * Binds an implementation to a service token in the kernel's container: one of the kernel's
   * (`Services.PushBearer`, or its name `'PushBearer'`) or a plugin's own (`serviceToken(…)`).
   * Only during `setup`; everything is bound once every plugin is set up.
   */
  provide<K extends ProvidableService>(service: K, implementation: ServiceTypes[K]): void;
  provide<T>(token: ServiceToken<T>, implementation: T): void;
  /**
   * Services by token, from the kernel's container: `ctx.services.get(Services.Clock)`. Kernel
   * services resolve in `setup`; what plugins provide resolves from hooks and `start` on.
   */
  readonly services: ServiceResolver;
  /**
   * Shorthand for `services.getOptional(Services[service])`: the implementation of a single service
   * chosen by config (e.g. the push bearer MM1 uses for delivery reports). Call it from hooks.
   */
  service<K extends SingleService>(service: K): ServiceTypes[K] | undefined;
  /**
   * Offers running state of this plugin (a listening URL, counters) to tests and embedders, who
   * read it with `mmsc.plugin(name)`. Type it for them by adding the plugin to `PluginExposures`.
   */
  expose(value: unknown): void;
  /** Durable jobs of this plugin on the kernel's job queue: define kinds in `setup`, enqueue any time. */
  readonly jobs: PluginJobs;
  /**
   * Adds routes to the admin server (beside `/health`, `/ready`, `/metrics`), in their own
   * fastify encapsulation context: hooks and parsers the plugin adds there apply to its routes
   * only. Registered before the server listens; never called when `admin.enabled` is false.
   */
  adminRoutes(register: AdminRoutes): void;
}

/** What a plugin mounts on the admin server (see `PluginContext.adminRoutes`). */
export type AdminRoutes = (server: FastifyInstance) => Promise<void> | void;

export interface PluginDefinition<Schema extends z.ZodType = z.ZodType> {
  /** npm package name, e.g. `@openmmsc/plugin-mm7`. */
  name: string;
  version: string;
  /** semver range of the plugin API this plugin was written for, e.g. `^1.0.0`. */
  apiVersion: string;
  description?: string;
  /** zod schema of the plugin's options; its output type is `ctx.options`. */
  configSchema?: Schema;
  setup(ctx: PluginContext<z.output<Schema>>): PluginHooks | void | Promise<PluginHooks | void>;
  /**
   * What `setup` will provide and route for these options, for the configuration cross-checks
   * of `openmmsc check` and `start` (see docs/plugins.md). Runs without `setup`; must be pure.
   */
  facts?(options: z.output<Schema>, config: Readonly<KernelConfig>): PluginFacts;
}

/** Every property a plugin definition may have; others are refused (a misspelt `configSchema` would skip validation). */
export const DEFINITION_KEYS = ['name', 'version', 'apiVersion', 'description', 'configSchema', 'setup', 'facts'] as const;
const everyKeyListed: Record<Exclude<keyof PluginDefinition, (typeof DEFINITION_KEYS)[number]>, never> = {};
void everyKeyListed;

/** Identity function that gives a plugin object its types. */
export function definePlugin<Schema extends z.ZodType>(definition: PluginDefinition<Schema>): PluginDefinition<Schema> {
  return definition;
}

export function isPluginDefinition(value: unknown): value is PluginDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && typeof v.apiVersion === 'string' && typeof v.setup === 'function';
}
