import type { JobPolicyConfig } from '../config/kernel-schema.js';
import type { JobSpec, JsonObject, KernelJobKind } from '../services/job-queue.js';
import { jobUnderPolicy, type RetryPolicy } from '../services/retry-policy.js';
import type { KernelContext } from './kernel-context.js';

/** A kernel job kind's configuration (`kernel.jobs.<kind>`) in the retry vocabulary plugins use too. */
export function retryPolicyOf(policy: JobPolicyConfig): RetryPolicy {
  return { maxAttempts: policy.maxAttempts, backoff: { initial: policy.backoffBase, max: policy.backoffMax, jitter: policy.jitter } };
}

/** A job with the attempt budget and back-off configured for its kind. */
export function jobSpec(k: KernelContext, kind: KernelJobKind, id: string, data: JsonObject, runAt?: number): JobSpec {
  return jobUnderPolicy(kind, id, data, retryPolicyOf(k.config.jobs[kind]), k.clock.now(), runAt);
}
