import type { PluginContext } from '@openmmsc/core';

/** The plugin's pino logger. */
export type Log = PluginContext<unknown>['log'];
