import { diagnoseConfig } from '../config/diagnose-config.js';
import { queueBackendFor } from '../kernel/backends.js';
import { watchDurability } from '../kernel/durability-watch.js';
import { HookRegistry } from '../kernel/hook-registry.js';
import { PluginJobRegistry } from '../kernel/plugin-jobs.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import { NotifiedHandsets } from '../kernel/notified-handsets.js';
import { createProtection, type Protection } from '../kernel/protection.js';
import { RecipientLifecycle } from '../kernel/recipient-lifecycle.js';
import { Retransmissions } from '../kernel/retransmissions.js';
import { ServiceRegistry } from '../kernel/service-registry.js';
import { wakeHeldNotifications } from '../jobs/notify-job.js';
import { createJobQueue } from '../queue/create-job-queue.js';
import type { JobQueue } from '../services/job-queue.js';
import { Services } from '../services/tokens.js';
import { workerOwner } from '../node/worker-role.js';
import { createMessageStore } from '../store/create-message-store.js';
import { startJobs } from './job-wiring.js';
import { setupPlugins } from './plugin-contexts.js';
import { notifyAbility, openAdmin } from './readiness.js';
import type { Started, StartInput } from './started.js';
import { contentLinkSecret, HmacContentLinks } from '../services/content-links.js';

/**
 * Brings an MMSC up: store and queue → each plugin's `setup` → services bound → configuration
 * warnings → queue started → admin server → each plugin's `start`. `attach` gets the started
 * state as soon as the kernel exists, so that plugins may call the runtime while starting. On a
 * failure, whatever was opened is closed again and the error is thrown.
 */
export async function startKernel(input: StartInput, attach: (started: Started) => void): Promise<void> {
  const { config, log, worker } = input;
  const store = await createMessageStore(config.store, { shared: worker !== undefined });
  let queue: JobQueue | undefined;
  let protection: Protection | undefined;
  let started: Started | undefined;
  try {
    queue = await createJobQueue(queueBackendFor(config.store, config.queue), {
      onError: (error) => log.error({ err: error }, 'job queue error'),
      ...(worker ? { owner: workerOwner(worker.slot) } : {}),
    });
    protection = await createProtection({
      config,
      queue,
      registry: input.metrics.registry,
      log,
      clock: input.clock,
      inFlight: input.inFlight,
      statfs: input.statfs,
      counters: worker?.counters,
    });
    const services = new ServiceRegistry();
    const links = new HmacContentLinks(await contentLinkSecret(config.links.secret, store.kv('kernel:content-links')));
    services.bindKernel({ MessageStore: store, JobQueue: queue, Logger: log, Metrics: input.metrics.registry, Clock: input.clock, ContentLinks: links });
    const k = kernelContext(input, services, protection);
    const notified = new NotifiedHandsets(config.shutdown.retrievalGrace);
    started = {
      k,
      services,
      lifecycle: new RecipientLifecycle(k, (id, index, state) => notified.moved(id, index, state)),
      retransmissions: new Retransmissions(k.store.kv('kernel:retransmissions'), log),
      notified,
      protection,
      plugins: [],
      exposures: new Map(),
      pluginJobs: new PluginJobRegistry(() => k),
      adminRoutes: [],
    };
    attach(started);
    await setupPlugins(input, started);
    services.seal({ PushBearer: config.services.pushBearer, Transcoder: config.services.transcoder });
    warnAboutConfig(input, services);
    await startJobs(k, started.lifecycle, started.pluginJobs);
    input.metrics.observe({ queue, notify: () => notifyAbility(k) });
    const durability = watchDurability(config, store, queue, log, input.metrics.registry);
    await durability.check();
    started.stopWaking = wakeHeldNotifications(k);
    await protection.start();
    const admin = await openAdmin(input, started, durability);
    if (admin) started.admin = admin;
    for (const p of started.plugins) await p.hooks.start?.();
  } catch (error) {
    for (const p of [...(started?.plugins ?? [])].reverse()) await Promise.resolve(p.hooks.close?.()).catch(() => undefined);
    await protection?.stop().catch(() => undefined);
    await queue?.close(0).catch(() => undefined);
    await store.close().catch(() => undefined);
    await started?.admin?.close().catch(() => undefined);
    throw error;
  }
}

/** The kernel's shared context, with its services read back from the container they were bound in. */
function kernelContext(input: StartInput, services: ServiceRegistry, protection: Protection): KernelContext {
  const resolve = services.resolver;
  return {
    config: input.config,
    addressing: input.addressing,
    log: resolve.get(Services.Logger),
    metrics: input.metrics,
    clock: resolve.get(Services.Clock),
    store: resolve.get(Services.MessageStore),
    queue: resolve.get(Services.JobQueue),
    hooks: new HookRegistry(),
    services,
    senderLimits: protection.senderLimits,
  };
}

/** The same cross-checks as `openmmsc check`, with what setup really provided. */
function warnAboutConfig(input: StartInput, services: ServiceRegistry): void {
  const provided = { pushBearers: services.providerNames('PushBearer'), deliveryTargets: services.deliveryTargets() };
  for (const warning of diagnoseConfig(input.resolved, provided)) {
    input.log.warn({ option: warning.path }, `configuration: ${warning.path}: ${warning.message}`);
  }
}
