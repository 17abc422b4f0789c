import type { Logger } from 'pino';
import type { MessageContext, PendingRecipient } from '../pipeline/context.js';
import { PIPELINE, type SubmissionStage } from '../pipeline/stages.js';
import { CONTINUE, type StageOutcome } from '../pipeline/verdict.js';
import { KERNEL_STEPS } from './builtin-steps.js';
import type { KernelContext } from './kernel-context.js';
import { runHooks } from './stage-runner.js';
import { deferRecipient, rejectRecipient, type WorkingSet } from './working-set.js';

/**
 * Runs submission stages over a working set, in `PIPELINE` order: for each, the kernel's step
 * before the hooks, the hooks, the kernel's step after them (`KERNEL_STEPS`). The first
 * whole-message reject or defer ends the run; anything that throws defers the message.
 */
export async function runStages(k: KernelContext, ws: WorkingSet, only: readonly SubmissionStage[], signal: AbortSignal): Promise<StageOutcome> {
  for (const { stage } of PIPELINE) {
    if (!(only as readonly string[]).includes(stage)) continue;
    const steps = KERNEL_STEPS[stage as SubmissionStage];
    const end = k.metrics.stageSeconds.startTimer({ stage });
    try {
      const before = (await steps.before?.(k, ws, signal)) ?? CONTINUE;
      if (before.kind !== 'continue') return before;
      const hooks = await runMessageHooks(k, ws, stage as SubmissionStage, signal);
      if (hooks.kind !== 'continue') return hooks;
      const after = await steps.after(k, ws, signal);
      if (after.kind !== 'continue') return after;
    } catch (error) {
      k.metrics.handlerErrors.inc({ plugin: 'kernel', stage });
      k.log.error({ err: error, stage, messageId: ws.id }, `the ${stage} stage failed; message deferred`);
      return { kind: 'defer', reason: { code: 'internal-error', message: `temporary failure in ${stage} stage` } };
    } finally {
      end();
    }
  }
  return CONTINUE;
}

/** One submission stage's hooks: per-recipient verdicts take recipients out of play. */
function runMessageHooks(k: KernelContext, ws: WorkingSet, stage: SubmissionStage, signal: AbortSignal): Promise<StageOutcome> {
  return runHooks(k.hooks.submission[stage], {
    stage,
    context: (plugin) => messageContext(k, ws, stage, plugin, signal),
    perRecipient(verdicts, plugin) {
      const now = k.clock.now();
      for (const recipient of [...ws.active]) {
        const v = verdicts.get(recipient.key);
        if (!v || v.kind === 'continue') continue;
        if (v.kind === 'reject') rejectRecipient(ws, recipient, v.reason, plugin, now);
        else deferRecipient(ws, recipient, v.reason, v.retryAfterMs);
      }
      return CONTINUE;
    },
    done: () => ws.active.length === 0,
    get log() {
      return k.log.child({ messageId: ws.id });
    },
    metrics: k.metrics,
    onThrow: 'message deferred',
  });
}

function messageContext(k: KernelContext, ws: WorkingSet, stage: SubmissionStage, plugin: string, signal: AbortSignal): MessageContext {
  // Most hooks never log: the child logger is made on first use (per message and hook).
  let log: Logger | undefined;
  return {
    id: ws.id,
    stage,
    message: ws.message,
    origin: ws.origin,
    get recipients(): readonly PendingRecipient[] {
      return ws.active;
    },
    attributes: ws.attributes,
    receivedAt: ws.receivedAt,
    expiresAt: ws.expiresAt,
    size: ws.size,
    get log(): Logger {
      return (log ??= k.log.child({ plugin, stage, messageId: ws.id }));
    },
    signal,
    route(recipient, route) {
      recipient.route = { ...route, by: plugin };
    },
  };
}
