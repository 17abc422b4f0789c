import { randomUUID } from 'node:crypto';
import type { EnqueueOptions, JobKindHandle, PluginJob, PluginJobHandler, PluginJobOptions, PluginJobs } from '../plugin/plugin-jobs.js';
import type { JobHandler, JobInfo, JobQueueStartOptions, JsonObject, RunningJob } from '../services/job-queue.js';
import { checkRetryPolicy, jobUnderPolicy } from '../services/retry-policy.js';
import { parseDuration } from '../util/duration.js';
import { countedJob } from './counted-job.js';
import type { KernelContext } from './kernel-context.js';

const KIND_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface Definition {
  plugin: string;
  /** As the plugin named it. */
  local: string;
  handler: PluginJobHandler<unknown>;
  options: PluginJobOptions<unknown>;
}

/** The queue's kind of a plugin's job kind: the plugin's name keeps plugins' kinds apart. */
export const pluginJobKind = (plugin: string, kind: string): string => `${plugin}/${kind}`;
/** The queue's id of a plugin's job id (kernel ids never start with `plugin:`). */
export const pluginJobId = (plugin: string, id: string): string => `plugin:${plugin}:${id}`;

/**
 * The job kinds plugins define (`ctx.jobs`), run by the kernel's job queue beside its own:
 * each plugin gets a view namespaced by its name; `withPluginKinds` adds their handlers,
 * concurrency and failure callbacks to what the kernel starts the queue with.
 */
export class PluginJobRegistry {
  readonly #kinds = new Map<string, Definition>();
  #started = false;

  constructor(private readonly kernel: () => Pick<KernelContext, 'queue' | 'metrics' | 'log' | 'clock'>) {}

  forPlugin(plugin: string): PluginJobs {
    const handle = <T>(kind: string): JobKindHandle<T> => ({
      kind: pluginJobKind(plugin, kind),
      enqueue: (data, options) => this.#enqueue(plugin, kind, data, options),
    });
    return {
      define: <T>(kind: string, handler: PluginJobHandler<T>, options: PluginJobOptions<T>): JobKindHandle<T> => {
        this.#define({ plugin, local: kind, handler: handler as PluginJobHandler<unknown>, options: options as PluginJobOptions<unknown> });
        return handle<T>(kind);
      },
      enqueue: (kind, data, options) => this.#enqueue(plugin, kind, data, options),
      cancel: (id) => this.kernel().queue.cancel(pluginJobId(plugin, id)),
      job: async (id): Promise<JobInfo | undefined> => {
        const info = await this.kernel().queue.job(pluginJobId(plugin, id));
        return info && { ...info, id };
      },
      wake: (key) => this.kernel().queue.wake(key),
    };
  }

  /** The kernel's start options with every plugin kind added. */
  withPluginKinds(kernel: JobQueueStartOptions): JobQueueStartOptions {
    this.#started = true;
    const handlers = { ...kernel.handlers };
    const concurrency = { ...kernel.concurrency };
    for (const [kind, d] of this.#kinds) {
      handlers[kind] = countedJob(this.kernel().metrics, kind, this.#run(d));
      concurrency[kind] = d.options.concurrency ?? 1;
    }
    return {
      handlers,
      concurrency,
      onFailed: (job, error) => {
        const d = this.#kinds.get(job.kind);
        return d ? this.#failed(d, job, error) : kernel.onFailed(job, error);
      },
    };
  }

  #define(d: Definition): void {
    const kind = pluginJobKind(d.plugin, d.local);
    if (this.#started) throw new Error(`${d.plugin}: define job kinds in setup (${d.local} came after the queue started)`);
    if (!KIND_NAME.test(d.local)) throw new Error(`${d.plugin}: job kind ${JSON.stringify(d.local)}: use letters, digits, '.', '_' and '-'`);
    if (this.#kinds.has(kind)) throw new Error(`${d.plugin}: job kind ${d.local} is defined twice`);
    checkRetryPolicy(d.options, `${d.plugin}: job kind ${d.local}`);
    const concurrency = d.options.concurrency;
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new Error(`${d.plugin}: job kind ${d.local}: concurrency must be an integer ≥ 1`);
    }
    this.#kinds.set(kind, d);
  }

  async #enqueue(plugin: string, local: string, data: unknown, options: EnqueueOptions = {}): Promise<string> {
    const kind = pluginJobKind(plugin, local);
    const d = this.#kinds.get(kind);
    if (!d) throw new Error(`${plugin}: job kind ${local} is not defined (ctx.jobs.define it in setup)`);
    const json = JSON.parse(JSON.stringify(data ?? null)) as unknown;
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new TypeError(`${plugin}: data of a ${local} job must be a JSON object`);
    const k = this.kernel();
    const now = k.clock.now();
    const id = options.id ?? randomUUID();
    const runAt = options.delay === undefined ? undefined : now + parseDuration(options.delay);
    await k.queue.enqueue(jobUnderPolicy(kind, pluginJobId(plugin, id), json as JsonObject, d.options, now, runAt));
    return id;
  }

  #run(d: Definition): JobHandler {
    return (job, signal) => d.handler(this.#view(d, job), signal);
  }

  async #failed(d: Definition, job: RunningJob, error: Error): Promise<void> {
    const k = this.kernel();
    k.metrics.jobs.inc({ kind: job.kind, outcome: 'failed' });
    k.log.warn({ err: error, plugin: d.plugin, job: job.id, attempts: job.attempt }, `${job.kind} job failed for good`);
    await d.options.onFailed?.(this.#view(d, job), error);
  }

  #view(d: Definition, job: RunningJob): PluginJob<unknown> {
    const prefix = pluginJobId(d.plugin, '');
    const view: { -readonly [K in keyof PluginJob<unknown>]: PluginJob<unknown>[K] } = {
      id: job.id.startsWith(prefix) ? job.id.slice(prefix.length) : job.id,
      kind: d.local,
      data: job.data,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
    };
    if (job.deadline !== undefined) view.deadline = job.deadline;
    return view;
  }
}
