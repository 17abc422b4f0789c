import type { Logger } from 'pino';
import { addressKey } from '../model/address.js';
import type { HookResult } from '../pipeline/context.js';
import { CONTINUE, stageOutcome, type Reason, type StageOutcome } from '../pipeline/verdict.js';
import type { Registered } from '../kernel/hook-registry.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import type { RecipientLifecycle } from '../kernel/recipient-lifecycle.js';
import { runHooks } from '../kernel/stage-runner.js';
import { retryError } from './retry-error.js';

interface RecipientJobContext {
  readonly message: { readonly id: string };
  readonly recipient: { readonly address: Parameters<typeof addressKey>[0]; readonly index: number };
}

/**
 * Runs the notify or deliver hooks for the one recipient a job is about (its entry of a
 * per-recipient verdict is the outcome) and answers whether the job goes on. A defer retries the
 * job; a reject rejects the recipient, or does what `onReject` says instead.
 */
export async function recipientHooksPass<C extends RecipientJobContext>(
  k: KernelContext,
  lifecycle: RecipientLifecycle,
  hooks: readonly Registered<(ctx: C) => HookResult | Promise<HookResult>>[],
  ctx: C,
  stage: 'notify' | 'deliver',
  log: Logger,
  onReject: (reason: Reason) => Promise<unknown> = (reason) =>
    lifecycle.transition(ctx.message.id, ctx.recipient.index, 'rejected', { by: 'kernel', reason: reason.message }),
): Promise<boolean> {
  const outcome = await runRecipientHooks(k, hooks, ctx, stage, log);
  if (outcome.kind === 'defer') throw retryError(outcome.reason.message, outcome.retryAfterMs);
  if (outcome.kind === 'reject') {
    await onReject(outcome.reason);
    return false;
  }
  return true;
}

function runRecipientHooks<C extends RecipientJobContext>(
  k: KernelContext,
  hooks: readonly Registered<(ctx: C) => HookResult | Promise<HookResult>>[],
  ctx: C,
  stage: 'notify' | 'deliver',
  log: Logger,
): Promise<StageOutcome> {
  const key = addressKey(ctx.recipient.address);
  return runHooks(hooks, {
    stage,
    context: () => ctx,
    // The entries of a per-recipient verdict are never per-recipient themselves.
    perRecipient: (verdicts) => stageOutcome(verdicts.get(key), () => CONTINUE),
    log,
    metrics: k.metrics,
    onThrow: 'will retry',
  });
}
