import type { Logger } from 'pino';
import type { HookResult } from '../plugin/define-plugin.js';
import type { Reason } from '../pipeline/verdict.js';
import type { Registered } from '../kernel/hook-registry.js';
import type { KernelMetrics } from '../kernel/kernel-metrics.js';

export type JobHookOutcome = { kind: 'continue' } | { kind: 'reject'; reason: Reason } | { kind: 'defer'; reason: Reason; retryAfterMs?: number };

/** Runs notify/deliver stage hooks for one recipient; per-recipient verdicts apply to it directly. */
export async function runJobHooks<C>(
  hooks: readonly Registered<(ctx: C) => HookResult | Promise<HookResult>>[],
  ctx: C,
  recipientKey: string,
  stage: 'notify' | 'deliver',
  log: Logger,
  metrics: KernelMetrics,
): Promise<JobHookOutcome> {
  for (const { plugin, fn } of hooks) {
    let result: HookResult;
    try {
      result = await fn(ctx);
    } catch (error) {
      metrics.handlerErrors.inc({ plugin, stage });
      log.error({ err: error, plugin, stage }, `${plugin} threw in the ${stage} stage; will retry`);
      return { kind: 'defer', reason: { code: 'internal-error', message: `temporary failure in ${stage} stage (${plugin})` } };
    }
    let v = result;
    if (v && v.kind === 'per-recipient') v = v.verdicts.get(recipientKey);
    if (!v || v.kind === 'continue') continue;
    return v.kind === 'reject' ? { kind: 'reject', reason: v.reason } : v.retryAfterMs === undefined ? { kind: 'defer', reason: v.reason } : { kind: 'defer', reason: v.reason, retryAfterMs: v.retryAfterMs };
  }
  return { kind: 'continue' };
}
