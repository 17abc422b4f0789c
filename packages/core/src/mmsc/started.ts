import type { Logger } from 'pino';
import type { KernelConfig } from '../config/kernel-schema.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import type { StatfsSource } from '../kernel/disk-watermark.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import type { KernelMetrics } from '../kernel/kernel-metrics.js';
import type { NotifiedHandsets } from '../kernel/notified-handsets.js';
import type { Protection } from '../kernel/protection.js';
import type { RecipientLifecycle } from '../kernel/recipient-lifecycle.js';
import type { Retransmissions } from '../kernel/retransmissions.js';
import type { ServiceRegistry } from '../kernel/service-registry.js';
import type { AddressingOptions } from '../model/address.js';
import type { PluginJobRegistry } from '../kernel/plugin-jobs.js';
import type { AdminRoutes, PluginHooks } from '../plugin/define-plugin.js';
import type { WorkerRole } from '../node/worker-role.js';
import type { MmscRuntime } from '../runtime.js';
import type { Clock } from '../util/clock.js';

export interface RunningPlugin {
  name: string;
  hooks: PluginHooks;
}

/** What an MMSC holds from `start` on; the files of `mmsc/` share it. Not public. */
export interface Started {
  k: KernelContext;
  services: ServiceRegistry;
  lifecycle: RecipientLifecycle;
  retransmissions: Retransmissions;
  notified: NotifiedHandsets;
  protection: Protection;
  /** In config order; those set up so far while starting. */
  plugins: RunningPlugin[];
  /** What plugins offered with `ctx.expose`, by plugin name. */
  exposures: Map<string, unknown>;
  /** Durable job kinds plugins defined (`ctx.jobs`). */
  pluginJobs: PluginJobRegistry;
  /** Routes plugins mount on the admin server (`ctx.adminRoutes`). */
  adminRoutes: AdminRoutes[];
  admin?: { url: string; close(): Promise<void> };
  stopWaking?: () => void;
}

/** What `start` needs from the MMSC object it starts. */
export interface StartInput {
  resolved: ResolvedConfig;
  config: KernelConfig;
  log: Logger;
  clock: Clock;
  metrics: KernelMetrics;
  addressing: AddressingOptions;
  statfs: StatfsSource | undefined;
  /** The MMSC as plugins see it (`ctx.mmsc`). */
  runtime: MmscRuntime;
  /** Submissions and transitions under way, for the admission check. */
  inFlight: () => number;
  /** Whether the MMSC runs (for `/ready`). */
  accepting: () => boolean;
  /** Set when this process is one worker of a multi-worker node. */
  worker: WorkerRole | undefined;
}
