import { Container } from 'inversify';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { startAdminServer } from './admin/admin-server.js';
import type { KernelConfig } from './config/kernel-schema.js';
import { diagnoseConfig } from './config/diagnose-config.js';
import type { ResolvedConfig } from './config/resolve-config.js';
import { queueBackendFor } from './kernel/backends.js';
import { watchDurability } from './kernel/durability-watch.js';
import { HookRegistry } from './kernel/hook-registry.js';
import { countedJob } from './kernel/counted-job.js';
import { PluginJobRegistry } from './kernel/plugin-jobs.js';
import type { KernelContext } from './kernel/kernel-context.js';
import { createKernelMetrics, type KernelMetrics } from './kernel/kernel-metrics.js';
import { RecipientLifecycle } from './kernel/recipient-lifecycle.js';
import { ServiceRegistry } from './kernel/service-registry.js';
import { NotifiedHandsets } from './kernel/notified-handsets.js';
import type { AdmissionDecision } from './kernel/admission.js';
import type { StatfsSource } from './kernel/disk-watermark.js';
import { createProtection, type Protection } from './kernel/protection.js';
import { loadAbility, notifyAbility, readinessChecks } from './kernel/readiness.js';
import { Retransmissions } from './kernel/retransmissions.js';
import { submit } from './kernel/submission.js';
import { runDeliverJob } from './jobs/deliver-job.js';
import { runExpireJob } from './jobs/expire-job.js';
import { runNotifyJob, wakeHeldNotifications } from './jobs/notify-job.js';
import { onJobFailed } from './jobs/on-job-failed.js';
import { runReportJob } from './jobs/report-job.js';
import { parseAddress, type Address, type AddressingOptions } from './model/address.js';
import type { MmsPart } from './model/message.js';
import type { RecipientEvent, RecipientRecord, RecipientState } from './model/recipient-state.js';
import { assertKnownHooks } from './plugin/check-plugin-shape.js';
import type { AdminRoutes, PluginContext, PluginHooks } from './plugin/define-plugin.js';
import { createJobQueue } from './queue/create-job-queue.js';
import type { CancelOutcome, KeepInput, MmscRuntime, ReplaceChanges, SubmitInput, SubmitResult, TransitionOptions } from './runtime.js';
import { discardMessage, keepMessage } from './kernel/kept-messages.js';
import { cancelMessage, replaceMessage } from './kernel/message-changes.js';
import { retryRecipientNow, type RetryOutcome } from './kernel/operator-actions.js';
import type { JobHandler, KernelJobKind, JobQueue } from './services/job-queue.js';
import type { AttributeValue, MessageStore, StoredMessage } from './services/message-store.js';
import type { Report } from './services/report-sender.js';
import { Services } from './services/tokens.js';
import { createMessageStore } from './store/create-message-store.js';
import { systemClock, type Clock } from './util/clock.js';

export interface MmscOptions {
  clock?: Clock;
  logger?: Logger;
  /** Where free disk space is read from (tests stand in for a full disk). */
  statfs?: StatfsSource;
}

type Phase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/** A running MMSC: the kernel with its plugins, store, queue and admin server. */
export class Mmsc implements MmscRuntime {
  readonly config: KernelConfig;
  readonly resolved: ResolvedConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly container = new Container();
  readonly metrics: KernelMetrics = createKernelMetrics();
  /** Set once started. */
  adminUrl: string | undefined;

  private phase: Phase = 'created';
  private kernel: KernelContext | undefined;
  private lifecycle: RecipientLifecycle | undefined;
  private retransmissions: Retransmissions | undefined;
  private notified: NotifiedHandsets | undefined;
  private readonly plugins: Array<{ name: string; hooks: PluginHooks }> = [];
  private readonly pluginJobs = new PluginJobRegistry(() => this.k);
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly adminRoutes: AdminRoutes[] = [];
  private stopAdmin: (() => Promise<void>) | undefined;
  private stopWaking: (() => void) | undefined;
  private readonly addressing: AddressingOptions;
  private protection: Protection | undefined;
  private readonly statfs: StatfsSource | undefined;

  constructor(resolved: ResolvedConfig, opts: MmscOptions = {}) {
    this.resolved = resolved;
    this.config = resolved.kernel;
    this.clock = opts.clock ?? systemClock;
    this.statfs = opts.statfs;
    this.log = opts.logger ?? pino({ level: this.config.log.level, base: { node: this.config.node.id } });
    const a = this.config.addressing;
    this.addressing = {
      internationalPrefix: a.internationalPrefix,
      nationalPrefix: a.nationalPrefix,
      shortCodeMaxDigits: a.shortCodeMaxDigits,
      ...(a.defaultCountryCode ? { defaultCountryCode: a.defaultCountryCode } : {}),
    };
  }

  get registry(): Registry {
    return this.metrics.registry;
  }

  get store(): MessageStore {
    return this.k.store;
  }

  get queue(): JobQueue {
    return this.k.queue;
  }

  /** Plugin names in config order. */
  get pluginNames(): string[] {
    return this.plugins.map((p) => p.name);
  }

  private get k(): KernelContext {
    if (!this.kernel) throw new Error('the MMSC is not started');
    return this.kernel;
  }

  async start(): Promise<void> {
    if (this.phase !== 'created') throw new Error(`cannot start an MMSC that is ${this.phase}`);
    this.phase = 'starting';
    const store = await createMessageStore(this.config.store);
    let queue: JobQueue | undefined;
    try {
      queue = await createJobQueue(queueBackendFor(this.config.store, this.config.queue), {
        onError: (error) => this.log.error({ err: error }, 'job queue error'),
      });
      const protection = await createProtection({
        config: this.config,
        queue,
        registry: this.metrics.registry,
        log: this.log,
        clock: this.clock,
        inFlight: () => this.inFlight.size,
        statfs: this.statfs,
      });
      this.protection = protection;
      const services = new ServiceRegistry(this.container);
      this.container.bind(Services.MessageStore).toConstantValue(store);
      this.container.bind(Services.JobQueue).toConstantValue(queue);
      this.container.bind(Services.Logger).toConstantValue(this.log);
      this.container.bind(Services.Metrics).toConstantValue(this.metrics.registry);
      this.container.bind(Services.Clock).toConstantValue(this.clock);
      this.kernel = {
        config: this.config,
        addressing: this.addressing,
        log: this.log,
        metrics: this.metrics,
        clock: this.clock,
        store,
        queue,
        hooks: new HookRegistry(),
        services,
        senderLimits: protection.senderLimits,
      };
      const notified = new NotifiedHandsets(this.config.shutdown.retrievalGrace);
      this.notified = notified;
      this.lifecycle = new RecipientLifecycle(this.kernel, (id, index, state) => notified.moved(id, index, state));
      this.retransmissions = new Retransmissions(store.kv('kernel:retransmissions'), this.log);
      await this.setupPlugins();
      services.seal({ PushBearer: this.config.services.pushBearer, Transcoder: this.config.services.transcoder });
      this.warnAboutConfig(services);
      await queue.start(this.pluginJobs.withPluginKinds({
        handlers: this.jobHandlers(),
        concurrency: {
          notify: this.config.jobs.notify.concurrency,
          deliver: this.config.jobs.deliver.concurrency,
          report: this.config.jobs.report.concurrency,
          expire: this.config.jobs.expire.concurrency,
        },
        onFailed: (job, error) => onJobFailed(this.k, this.lifecycle!, job, error),
      }));
      this.metrics.observe({ queue, notify: () => notifyAbility(this.k) });
      const durability = watchDurability(this.config, store, queue, this.log, this.metrics.registry);
      await durability.check();
      this.stopWaking = wakeHeldNotifications(this.k);
      await protection.start();
      if (this.config.admin.enabled) {
        const admin = await startAdminServer({
          config: this.config,
          baseDir: this.resolved.baseDir,
          registry: this.metrics.registry,
          log: this.log,
          accepting: () => this.phase === 'running',
          routes: this.adminRoutes,
          checks: () => readinessChecks(this.k, this.protection, this.plugins),
          abilities: () => [
            ['notify', async () => notifyAbility(this.k)],
            ['load', async () => loadAbility(this.protection)],
            ['durability', () => durability.ability()],
          ],
        });
        this.adminUrl = admin.url;
        this.stopAdmin = () => admin.server.close();
      }
      for (const p of this.plugins) await p.hooks.start?.();
    } catch (error) {
      this.phase = 'stopped';
      for (const p of [...this.plugins].reverse()) await Promise.resolve(p.hooks.close?.()).catch(() => undefined);
      await queue?.close(0).catch(() => undefined);
      await store.close().catch(() => undefined);
      await this.protection?.stop().catch(() => undefined);
      await this.stopAdmin?.().catch(() => undefined);
      throw error;
    }
    this.phase = 'running';
    this.protection?.admission.reset();
    this.log.info({ plugins: this.pluginNames, admin: this.adminUrl }, 'OpenMMSC started');
  }

  /**
   * Graceful stop, in the order that loses no exchange under way:
   * 1. `/ready` turns 503, `submit` answers "try again", the queue stops claiming, each plugin's
   *    `stop`: no new work is taken, but listeners stay open for exchanges in progress (MM1
   *    keeps serving fetches);
   * 2. submissions already running finish, and so do running jobs (notifications being pushed);
   * 3. handsets this node notified fetch and acknowledge (`shutdown.retrievalGrace`);
   * 4. each plugin's `close` (listeners, connections, files), then the queue and the store.
   * Steps 2 and 3 together take at most `shutdown.graceMs` (running submissions aside).
   */
  async stop(): Promise<void> {
    if (this.phase !== 'running') return;
    this.phase = 'stopping';
    const { graceMs, retrievalGrace } = this.config.shutdown;
    const started = performance.now();
    this.log.info('stopping: draining in-flight work');
    // The queue stops claiming at once (no more handsets told to fetch from this node); what
    // running submissions enqueue meanwhile stays pending for the next start or another node.
    const drained = this.k.queue.drain(graceMs);
    for (const p of [...this.plugins].reverse()) {
      await this.guard(p.name, 'stop', () => p.hooks.stop?.());
    }
    await Promise.all([Promise.allSettled([...this.inFlight]), drained]);
    this.stopWaking?.();
    const left = Math.min(retrievalGrace, graceMs - (performance.now() - started));
    if (this.notified!.size > 0 && left > 0) {
      this.log.info({ handsets: this.notified!.size, graceMs: Math.round(left) }, 'stopping: waiting for notified handsets to fetch');
      const missing = await this.notified!.settle(this.k.store, left).catch((error: unknown) => {
        this.log.warn({ err: error }, 'stopping: could not follow notified handsets');
        return 0;
      });
      if (missing > 0) this.log.warn({ handsets: missing }, 'stopping: handsets notified by this node have not fetched yet (they fetch after a re-notification, from any node)');
    }
    // A fetch or acknowledgement that ended the wait still has its side effects to finish
    // (reports, cancelled jobs); so has any exchange the listeners were serving.
    await Promise.allSettled([...this.inFlight]);
    for (const p of [...this.plugins].reverse()) {
      await this.guard(p.name, 'close', () => p.hooks.close?.());
    }
    await Promise.allSettled([...this.inFlight]);
    await this.k.queue.close(0);
    await this.k.store.close();
    await this.protection?.stop();
    await this.stopAdmin?.();
    this.phase = 'stopped';
    this.log.info('stopped');
  }

  // --- MmscRuntime -------------------------------------------------------------------------

  async submit(input: SubmitInput): Promise<SubmitResult> {
    if (this.phase !== 'running' && this.phase !== 'starting') {
      const reason = { code: 'network-problem' as const, message: 'the MMSC is shutting down; try again' };
      return { status: 'deferred', messageId: '', reason, recipients: [] };
    }
    // Before this one counts as in flight: the check is about the work already running.
    const admitted = this.admit(input.origin.interface);
    if (!admitted.ok) {
      this.metrics.submissions.inc({ interface: input.origin.interface, status: 'deferred' });
      return { status: 'deferred', messageId: '', reason: admitted.reason, recipients: [], retryAfterMs: admitted.retryAfterMs };
    }
    const once = () => submit(this.k, this.lifecycle!, input);
    const run = input.retransmission
      ? this.retransmissions!.submitOnce(input.origin.interface, input.retransmission, input.message, once).then((result) => {
          if (result.retransmission) this.metrics.submissions.inc({ interface: input.origin.interface, status: 'retransmission' });
          return result;
        })
      : once();
    return this.track(run);
  }

  /** Submissions and transitions under way: the stop lets them finish before the store closes. */
  private async track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  getMessage(id: string): Promise<StoredMessage | undefined> {
    return this.k.store.get(id);
  }

  async getParts(id: string, variant?: string): Promise<MmsPart[] | undefined> {
    if (variant) {
      const adapted = await this.k.store.getVariant(id, variant);
      if (adapted) return adapted;
    }
    return this.k.store.getParts(id);
  }

  saveVariant(id: string, variant: string, parts: readonly MmsPart[]): Promise<void> {
    return this.k.store.saveVariant(id, variant, parts);
  }

  getVariant(id: string, variant: string): Promise<MmsPart[] | undefined> {
    return this.k.store.getVariant(id, variant);
  }

  getRecipients(id: string): Promise<RecipientRecord[]> {
    return this.k.store.getRecipients(id);
  }

  transition(id: string, index: number, state: RecipientState, options: TransitionOptions): Promise<RecipientRecord> {
    return this.track(this.lifecycle!.transition(id, index, state, options));
  }

  setRecipientAttributes(id: string, index: number, attributes: Record<string, AttributeValue>): Promise<RecipientRecord> {
    return this.lifecycle!.setAttributes(id, index, attributes);
  }

  async sendReport(messageId: string, report: Report): Promise<void> {
    const message = await this.k.store.get(messageId);
    if (!message) throw new Error(`unknown message ${messageId}`);
    await this.lifecycle!.enqueueReportByAddress(message, report);
  }

  cancel(messageId: string, options: { by: string; reason?: string }): Promise<CancelOutcome> {
    return cancelMessage(this.k, this.lifecycle!, messageId, options);
  }

  retryNow(messageId: string, index: number, options: { by: string; renotify?: boolean }): Promise<RetryOutcome> {
    return retryRecipientNow(this.k, this.lifecycle!, messageId, index, { by: options.by, renotify: options.renotify === true });
  }

  replace(messageId: string, changes: ReplaceChanges): Promise<void> {
    return replaceMessage(this.k, messageId, changes);
  }

  recordEvent(id: string, index: number, event: RecipientEvent): Promise<RecipientRecord> {
    return this.lifecycle!.recordEvent(id, index, event);
  }

  keep(input: KeepInput): Promise<StoredMessage> {
    return keepMessage(this.k, input);
  }

  discard(id: string): Promise<boolean> {
    return discardMessage(this.k, id);
  }

  parseAddress(raw: string): Address {
    return parseAddress(raw, this.addressing);
  }

  admit(iface: string): AdmissionDecision {
    return this.protection ? this.protection.admission.check(iface) : { ok: true };
  }

  // --- internals ---------------------------------------------------------------------------

  private async setupPlugins(): Promise<void> {
    const k = this.k;
    for (const { definition, options } of this.resolved.plugins) {
      const name = definition.name;
      const ctx: PluginContext<unknown> = {
        name,
        options,
        baseDir: this.resolved.baseDir,
        config: this.config,
        log: this.log.child({ plugin: name }),
        metrics: this.metrics.registry,
        clock: this.clock,
        kv: k.store.kv(`plugin:${name}`),
        mmsc: this,
        provide: (service, implementation) => k.services.provide(name, service, implementation),
        service: (service) => k.services.single(service),
        jobs: this.pluginJobs.forPlugin(name),
        adminRoutes: (register) => void this.adminRoutes.push(register),
      };
      let hooks: PluginHooks;
      try {
        hooks = (await definition.setup(ctx)) ?? {};
      } catch (error) {
        throw new Error(`plugin ${name} failed to set up: ${(error as Error).message}`, { cause: error });
      }
      assertKnownHooks(name, hooks);
      k.hooks.add(name, hooks);
      this.plugins.push({ name, hooks });
    }
  }

  /** The same cross-checks as `openmmsc check`, with what setup really provided. */
  private warnAboutConfig(services: ServiceRegistry): void {
    const provided = { pushBearers: services.providerNames('PushBearer'), deliveryTargets: services.deliveryTargets() };
    for (const warning of diagnoseConfig(this.resolved, provided)) {
      this.log.warn({ option: warning.path }, `configuration: ${warning.path}: ${warning.message}`);
    }
  }

  private jobHandlers(): Record<KernelJobKind, JobHandler> {
    const count = (kind: KernelJobKind, fn: JobHandler) => countedJob(this.metrics, kind, fn);
    return {
      notify: count('notify', (job, signal) => runNotifyJob(this.k, this.lifecycle!, job, signal)),
      deliver: count('deliver', (job, signal) => runDeliverJob(this.k, this.lifecycle!, job, signal)),
      report: count('report', (job, signal) => runReportJob(this.k, this.lifecycle!, job, signal)),
      expire: count('expire', (job) => runExpireJob(this.k, this.lifecycle!, job)),
    };
  }

  private async guard(plugin: string, step: string, fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.log.error({ err: error, plugin }, `${plugin} failed in ${step}`);
    }
  }
}
