import { batchOutcomes, type BatchAnswer, type RecipientOutcome } from './outcome.js';
import { batchesOf } from './recipient-list.js';
import { summarize, type CampaignSummary } from './summary.js';

export type SubmitBatch = (batch: readonly string[]) => Promise<BatchAnswer>;

export interface RunOptions {
  /** Recipients per submission. */
  batch: number;
  /** Submissions in flight. */
  concurrency: number;
  /** Called after each batch with the recipients done so far and their outcomes. */
  onProgress?(done: number, outcomes: readonly RecipientOutcome[]): void;
}

/**
 * Submits `recipients` in batches, `concurrency` at a time, and keeps each recipient's outcome in
 * list order. A submission that throws counts as refused for its batch, with the error as status.
 */
export async function runCampaign(recipients: readonly string[], submit: SubmitBatch, opts: RunOptions): Promise<{ outcomes: RecipientOutcome[]; summary: CampaignSummary }> {
  const started = Date.now();
  const batches = batchesOf(recipients, opts.batch);
  const results: RecipientOutcome[][] = new Array<RecipientOutcome[]>(batches.length);
  const finished: RecipientOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const i = next++;
      const batch = batches[i]!;
      let answer: BatchAnswer;
      try {
        answer = await submit(batch);
      } catch (error) {
        answer = { accepted: false, status: (error as Error).message };
      }
      results[i] = batchOutcomes(batch, answer);
      finished.push(...results[i]);
      opts.onProgress?.(finished.length, finished);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, batches.length)) }, worker));
  const outcomes = results.flat();
  return { outcomes, summary: summarize(outcomes, batches.length, (Date.now() - started) / 1000) };
}
