import type { Logger } from 'pino';
import type { HookResult } from '../pipeline/context.js';
import type { StageName } from '../pipeline/stages.js';
import { CONTINUE, stageOutcome, type PerRecipientVerdict, type StageOutcome } from '../pipeline/verdict.js';
import type { Registered } from './hook-registry.js';
import type { KernelMetrics } from './kernel-metrics.js';

export interface HookRun<C> {
  stage: StageName;
  /** The context one plugin's hook gets. */
  context: (plugin: string) => C;
  /** What a per-recipient verdict does here. */
  perRecipient: (verdicts: PerRecipientVerdict['verdicts'], plugin: string) => StageOutcome;
  /** Stops calling hooks early (no recipient left in play). */
  done?: () => boolean;
  /** Read only when a hook throws: built lazily, as a child logger is not free. */
  readonly log: Logger;
  metrics: KernelMetrics;
  /** Said in the log when a hook throws: what becomes of the work (`message deferred`, `will retry`). */
  onThrow: string;
}

/**
 * Runs one stage's hooks in config order (`sequential`, see `PIPELINE`): a whole-message reject
 * or defer ends the stage; a hook that throws becomes a temporary failure, logged with the
 * plugin's name.
 */
export async function runHooks<C>(hooks: readonly Registered<(ctx: C) => HookResult | Promise<HookResult>>[], run: HookRun<C>): Promise<StageOutcome> {
  const { stage } = run;
  for (const { plugin, fn } of hooks) {
    if (run.done?.()) return CONTINUE;
    let result: HookResult;
    try {
      const answer = fn(run.context(plugin));
      // A hook that answers at once costs no extra turn of the microtask queue.
      result = isPromiseLike(answer) ? await answer : answer;
    } catch (error) {
      run.metrics.handlerErrors.inc({ plugin, stage });
      run.log.error({ err: error, plugin, stage }, `${plugin} threw in the ${stage} stage; ${run.onThrow}`);
      return { kind: 'defer', reason: { code: 'internal-error', message: `temporary failure in ${stage} stage (${plugin})` } };
    }
    const outcome = stageOutcome(result, (verdicts) => run.perRecipient(verdicts, plugin));
    if (outcome.kind !== 'continue') return outcome;
  }
  return CONTINUE;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
