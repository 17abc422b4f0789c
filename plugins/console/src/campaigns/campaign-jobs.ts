import { runCampaign } from '@openmmsc/campaign';
import { HoldJobError, type Clock, type JobKindHandle, type MmscRuntime, type PluginJobs } from '@openmmsc/core';
import type { Log } from '../log.js';
import { CHUNK, countChunk, isCounted, type CampaignState, type CampaignStore } from './campaign-store.js';
import { CampaignDeferred, submitCampaignBatch } from './submit-batch.js';

/** Chunks of one campaign queued at once (across the cluster): each chunk done queues the one this many further on. */
export const WINDOW = 4;

interface ChunkJob {
  campaign: string;
  start: number;
}

/**
 * Campaigns as durable jobs on the kernel's queue (`<plugin>/campaign-chunk`): one job per chunk
 * of recipients, run by any node; a chunk done queues the one `WINDOW` chunks further on. A job
 * cut short (its node stopped or died) runs again from the queue: its batches are submitted
 * under retransmission keys of their own, so the kernel answers a batch it took again instead
 * of sending it twice, and the campaign counts each chunk once.
 */
export class CampaignJobs {
  private readonly chunks: JobKindHandle<ChunkJob>;

  constructor(
    private readonly store: CampaignStore,
    private readonly mmsc: MmscRuntime,
    jobs: PluginJobs,
    private readonly clock: Clock,
    private readonly log: Log,
  ) {
    this.chunks = jobs.define<ChunkJob>('campaign-chunk', (job, signal) => this.run(job.data, signal), {
      // A chunk fails only on store trouble: it is retried until it goes through.
      maxAttempts: Infinity,
      backoff: { initial: '1s', factor: 2, max: '1m', jitter: 0.2 },
      concurrency: 2,
    });
  }

  /** Queues a new campaign's first chunks. */
  async begin(s: CampaignState): Promise<void> {
    for (let k = 0; k < WINDOW && k * CHUNK < s.total; k++) await this.enqueue(s.id, k * CHUNK);
  }

  /**
   * Queues again the first chunks of running campaigns that counted nothing yet (a node stopped
   * between storing a campaign and queueing it); chunks already queued stay as they are.
   */
  async resume(): Promise<void> {
    for (const id of await this.store.ids()) {
      const s = await this.store.get(id);
      if (s?.state === 'running' && s.countedBelow === 0 && s.countedAbove.length === 0) await this.begin(s);
    }
  }

  private enqueue(campaign: string, start: number): Promise<string> {
    return this.chunks.enqueue({ campaign, start }, { id: `campaign:${campaign}:${start}` });
  }

  private async run({ campaign, start }: ChunkJob, signal: AbortSignal): Promise<void> {
    const s = await this.store.get(campaign);
    if (!s || s.state !== 'running') return; // cancelled (or gone): the chain ends here
    if (!isCounted(s, start)) await this.work(s, start, signal);
    const next = start + WINDOW * CHUNK;
    if (next < s.total) await this.enqueue(campaign, next);
  }

  private async work(s: CampaignState, start: number, signal: AbortSignal): Promise<void> {
    const [recipients, parts] = await Promise.all([this.store.recipients(s.id), this.store.parts(s.id)]);
    let offset = start;
    let deferred: CampaignDeferred | undefined;
    const { outcomes } = await runCampaign(recipients.slice(start, start + CHUNK), async (batch) => {
      const at = offset;
      offset += batch.length;
      if (deferred || signal.aborted) return { accepted: false, status: 'deferred' };
      try {
        return await submitCampaignBatch(this.mmsc, s, parts, batch, at);
      } catch (error) {
        if (!(error instanceof CampaignDeferred)) throw error;
        deferred = error;
        return { accepted: false, status: 'deferred' };
      }
    }, { batch: s.batch, concurrency: 1 });
    // Nothing is counted of a chunk cut short: it runs again, and the batches the kernel took are answered again by their key.
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('stopping');
    if (deferred) throw new HoldJobError(`the kernel deferred the campaign: ${deferred.message}`, { delayMs: deferred.retryAfterMs ?? 1000 });
    await this.store.saveOutcomes(s.id, start, outcomes);
    const now = this.clock.now();
    const after = await this.store.update(s.id, (c) => countChunk(c, start, outcomes, now));
    if (after.state === 'done' && after.finishedAt === now) this.log.info({ campaign: s.id, accepted: after.accepted, rejected: after.rejected }, 'console: campaign finished');
  }
}
