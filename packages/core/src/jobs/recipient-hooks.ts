import type { Logger } from 'pino';
import { addressKey } from '../model/address.js';
import type { HookResult } from '../pipeline/context.js';
import { CONTINUE, stageOutcome, type StageOutcome } from '../pipeline/verdict.js';
import type { Registered } from '../kernel/hook-registry.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import { runHooks } from '../kernel/stage-runner.js';

/** Runs the notify or deliver hooks for the one recipient a job is about: its entry of a per-recipient verdict is the outcome. */
export function runRecipientHooks<C extends { readonly recipient: { readonly address: Parameters<typeof addressKey>[0] } }>(
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
