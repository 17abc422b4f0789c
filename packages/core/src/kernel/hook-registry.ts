import type { DeliverHook, MessageHook, NotifyHook } from '../pipeline/context.js';
import type { PluginHooks } from '../plugin/define-plugin.js';
import { SUBMISSION_STAGES, type SubmissionStage } from '../pipeline/stages.js';

export interface Registered<F> {
  plugin: string;
  fn: F;
}

/** Stage handlers in config order, each tagged with its plugin for logs and history. */
export class HookRegistry {
  readonly submission = Object.fromEntries(SUBMISSION_STAGES.map((stage) => [stage, []])) as unknown as Record<SubmissionStage, Registered<MessageHook>[]>;
  readonly notify: Registered<NotifyHook>[] = [];
  readonly deliver: Registered<DeliverHook>[] = [];

  add(plugin: string, hooks: PluginHooks): void {
    for (const stage of SUBMISSION_STAGES) {
      const fn = hooks[stage];
      if (fn) this.submission[stage].push({ plugin, fn: fn.bind(hooks) });
    }
    if (hooks.notify) this.notify.push({ plugin, fn: hooks.notify.bind(hooks) });
    if (hooks.deliver) this.deliver.push({ plugin, fn: hooks.deliver.bind(hooks) });
  }
}
