import type { MessageContext, PendingRecipient, SubmissionStage } from '../pipeline/context.js';
import type { Verdict } from '../pipeline/verdict.js';
import type { KernelContext } from './kernel-context.js';
import { CONTINUE, deferRecipient, rejectRecipient, type StageOutcome, type WorkingSet } from './working-set.js';

/**
 * Runs one submission stage's handlers in config order. A whole-message reject or defer stops
 * the chain; per-recipient verdicts take recipients out of play; a handler that throws becomes a
 * temporary failure of this message, logged with the plugin's name.
 */
export async function runStageHooks(
  k: KernelContext,
  ws: WorkingSet,
  stage: SubmissionStage,
  signal: AbortSignal,
): Promise<StageOutcome> {
  for (const { plugin, fn } of k.hooks.submission[stage]) {
    if (ws.active.length === 0) return CONTINUE;
    const ctx = messageContext(k, ws, stage, plugin, signal);
    let result: Verdict | void | undefined;
    try {
      result = await fn(ctx);
    } catch (error) {
      k.metrics.handlerErrors.inc({ plugin, stage });
      k.log.error({ err: error, plugin, stage, messageId: ws.id }, `${plugin} threw in the ${stage} stage; message deferred`);
      return {
        kind: 'defer',
        reason: { code: 'internal-error', message: `temporary failure in ${stage} stage (${plugin})` },
      };
    }
    const outcome = applyVerdict(k, ws, result, plugin);
    if (outcome.kind !== 'continue') return outcome;
  }
  return CONTINUE;
}

export function applyVerdict(k: KernelContext, ws: WorkingSet, result: Verdict | void | undefined, plugin: string): StageOutcome {
  if (!result || result.kind === 'continue') return CONTINUE;
  if (result.kind === 'reject') return { kind: 'reject', reason: result.reason };
  if (result.kind === 'defer') {
    return result.retryAfterMs === undefined
      ? { kind: 'defer', reason: result.reason }
      : { kind: 'defer', reason: result.reason, retryAfterMs: result.retryAfterMs };
  }
  const now = k.clock.now();
  for (const recipient of [...ws.active]) {
    const v = result.verdicts.get(recipient.key);
    if (!v || v.kind === 'continue') continue;
    if (v.kind === 'reject') rejectRecipient(ws, recipient, v.reason, plugin, now);
    else deferRecipient(ws, recipient, v.reason, v.retryAfterMs);
  }
  return CONTINUE;
}

function messageContext(
  k: KernelContext,
  ws: WorkingSet,
  stage: SubmissionStage,
  plugin: string,
  signal: AbortSignal,
): MessageContext {
  const log = k.log.child({ plugin, stage, messageId: ws.id });
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
    log,
    signal,
    route(recipient, route) {
      recipient.route = { ...route, by: plugin };
    },
  };
}
