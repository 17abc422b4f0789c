import { resolve } from 'node:path';
import { definePackagedPlugin, pluginManifest } from '@openmmsc/core';
import { logBearer } from './log-bearer.js';
import { pushLogOptions } from './options.js';

export { pushLogOptions, type PushLogOptions } from './options.js';
export { logBearer, type LogBearerSettings, type LoggedNotification } from './log-bearer.js';

/** A push bearer that logs notifications instead of sending them: for labs, demos and tests. */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'Log-only push bearer',
  configSchema: pushLogOptions,
  facts: () => ({ provides: ['PushBearer'] }),
  setup(ctx) {
    const file = ctx.options.file ? resolve(ctx.baseDir, ctx.options.file) : undefined;
    ctx.provide('PushBearer', logBearer({ name: ctx.name, fail: ctx.options.fail, file, log: ctx.log, clock: ctx.clock }));
  },
});
