import type { KernelContext } from '../kernel/kernel-context.js';
import type { RecipientLifecycle } from '../kernel/recipient-lifecycle.js';
import { runDeliverJob } from '../jobs/deliver-job.js';
import { runExpireJob } from '../jobs/expire-job.js';
import { runNotifyJob } from '../jobs/notify-job.js';
import { onJobFailed } from '../jobs/on-job-failed.js';
import { runReportJob } from '../jobs/report-job.js';
import { countedJob } from '../kernel/counted-job.js';
import type { PluginJobRegistry } from '../kernel/plugin-jobs.js';
import type { JobHandler, KernelJobKind } from '../services/job-queue.js';

/** Starts the queue with the kernel's handler per job kind and the plugins' kinds, counted by outcome. */
export async function startJobs(k: KernelContext, lifecycle: RecipientLifecycle, pluginJobs: PluginJobRegistry): Promise<void> {
  const { jobs } = k.config;
  await k.queue.start(pluginJobs.withPluginKinds({
    handlers: jobHandlers(k, lifecycle),
    concurrency: {
      notify: jobs.notify.concurrency,
      deliver: jobs.deliver.concurrency,
      report: jobs.report.concurrency,
      expire: jobs.expire.concurrency,
    },
    onFailed: (job, error) => onJobFailed(k, lifecycle, job, error),
  }));
}

function jobHandlers(k: KernelContext, lifecycle: RecipientLifecycle): Record<KernelJobKind, JobHandler> {
  const count = (kind: KernelJobKind, fn: JobHandler) => countedJob(k.metrics, kind, fn);
  return {
    notify: count('notify', (job, signal) => runNotifyJob(k, lifecycle, job, signal)),
    deliver: count('deliver', (job, signal) => runDeliverJob(k, lifecycle, job, signal)),
    report: count('report', (job, signal) => runReportJob(k, lifecycle, job, signal)),
    expire: count('expire', (job) => runExpireJob(k, lifecycle, job)),
  };
}
