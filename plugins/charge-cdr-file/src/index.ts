import { resolve } from 'node:path';
import { definePackagedPlugin, pluginManifest } from '@openmmsc/core';
import { cdrFileOptions } from './options.js';
import { toCdr } from './cdr.js';
import { JsonLinesWriter } from './json-lines-writer.js';

export { cdrFileOptions, type CdrFileOptions } from './options.js';
export { toCdr, type Cdr } from './cdr.js';

/** Offline charging in its simplest durable form: one CDR per billing event, one JSON line each. */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'CDRs to a JSON-lines file',
  configSchema: cdrFileOptions,
  setup(ctx) {
    const writer = new JsonLinesWriter(resolve(ctx.baseDir, ctx.options.path), ctx.options.fsync);
    const events = new Set(ctx.options.events);
    ctx.provide('ChargingBackend', {
      name: ctx.name,
      async record(event) {
        if (events.size && !events.has(event.type)) return;
        const cdr = toCdr(event, ctx.config.node.id);
        await writer.append(cdr);
        return [{ recordType: cdr.recordType, id: cdr.cdrId }];
      },
    });
    return {
      ready: () => writer.ready(),
      close: () => writer.close(),
    };
  },
});
