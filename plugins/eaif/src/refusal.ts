import type { ReasonCode } from '@openmmsc/core';

/**
 * Why a submission is refused before it reaches the kernel, in the kernel's vocabulary, so that
 * one table turns every refusal (ours and the pipeline's) into an HTTP status.
 */
export class Refusal extends Error {
  constructor(
    readonly code: ReasonCode | 'unauthorized' | 'source-not-allowed' | 'throughput',
    message: string,
    /** For `throughput` and deferrals: when to try again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'Refusal';
  }
}
