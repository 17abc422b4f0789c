import type { DeliverHook, MessageHook, NotifyHook, PluginHooks } from '../plugin/define-plugin.js';
import type { SubmissionStage } from '../pipeline/context.js';

export interface Registered<F> {
  plugin: string;
  fn: F;
}

/** Stage handlers in config order, each tagged with its plugin for logs and history. */
export class HookRegistry {
  readonly submission: Record<SubmissionStage, Registered<MessageHook>[]> = {
    receive: [],
    route: [],
    transcode: [],
    charge: [],
    store: [],
  };
  readonly notify: Registered<NotifyHook>[] = [];
  readonly deliver: Registered<DeliverHook>[] = [];

  add(plugin: string, hooks: PluginHooks): void {
    for (const stage of Object.keys(this.submission) as SubmissionStage[]) {
      const fn = hooks[stage];
      if (fn) this.submission[stage].push({ plugin, fn: fn.bind(hooks) });
    }
    if (hooks.notify) this.notify.push({ plugin, fn: hooks.notify.bind(hooks) });
    if (hooks.deliver) this.deliver.push({ plugin, fn: hooks.deliver.bind(hooks) });
  }
}
