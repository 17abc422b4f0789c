import type { JobPolicyConfig } from '../config/kernel-schema.js';
import type { BackoffPolicy, JobKind, JobSpec, JsonObject } from '../services/job-queue.js';
import type { KernelContext } from './kernel-context.js';

export function backoffOf(policy: JobPolicyConfig): BackoffPolicy {
  return { baseMs: policy.backoffBase, maxMs: policy.backoffMax, jitter: policy.jitter };
}

/** A job with the attempt budget and back-off configured for its kind. */
export function jobSpec(k: KernelContext, kind: JobKind, id: string, data: JsonObject, runAt?: number): JobSpec {
  const policy = k.config.jobs[kind];
  const spec: JobSpec = { id, kind, data, maxAttempts: policy.maxAttempts, backoff: backoffOf(policy) };
  if (runAt !== undefined) spec.runAt = runAt;
  return spec;
}
