import type { Capabilities, PluginContext } from '@openmmsc/core';
import type { VariantCache } from './variant-cache.js';

/** A job's data: the message and the class to adapt it for (capabilities in full: a UAProf class has no name to look up). */
export interface AdaptJobData {
  messageId: string;
  capabilities: Capabilities;
}

/** The job's id: one per message and class, so scheduling twice is a no-op. */
export const adaptJobId = (messageId: string, cls: string): string => `adapt:${messageId}:${cls}`;

/**
 * Adaptation as a durable job (`<plugin>/adapt`): scheduled once the message is stored, one per
 * class, run on any node, retried with back-off, handed back on stop. Returns what the
 * transcoder's `adaptLater` does.
 */
export function defineAdaptJob(
  ctx: Pick<PluginContext<unknown>, 'jobs' | 'log'>,
  cache: VariantCache,
  policy: { maxAttempts: number; concurrency: number },
): (input: { messageId: string; capabilities: readonly Capabilities[] }) => Promise<void> {
  const adapt = ctx.jobs.define<AdaptJobData>(
    'adapt',
    async (job, signal) => {
      // make() joins a fetch or delivery already making it here; a stored variant ends the job at once.
      await cache.make(job.data.messageId, job.data.capabilities, { signal });
    },
    {
      maxAttempts: policy.maxAttempts,
      backoff: { initial: '2s', factor: 2, max: '1m', jitter: 0.2 },
      concurrency: policy.concurrency,
      onFailed: async (job, error) => {
        ctx.log.warn({ err: error, messageId: job.data.messageId, class: job.data.capabilities.class }, 'adaptation given up; the variant will be made when first asked for');
        await cache.failed(job.data.messageId, job.data.capabilities.class, error);
      },
    },
  );
  // In the sender's wait: one job per class, enqueued together (one commit, one round trip).
  return async ({ messageId, capabilities }) => {
    await Promise.all(capabilities.map((c) => adapt.enqueue({ messageId, capabilities: c }, { id: adaptJobId(messageId, c.class) })));
  };
}
