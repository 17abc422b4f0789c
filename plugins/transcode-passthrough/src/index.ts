import { definePackagedPlugin, pluginManifest } from '@openmmsc/core';
import { passthroughOptions } from './options.js';

export { passthroughOptions, type PassthroughOptions } from './options.js';

/**
 * The transcoder to run when no adaptation is wanted: every recipient gets the original parts.
 * It still takes the transcoder slot, so swapping in a real one (MM11) is a config change.
 */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'Pass-through transcoder',
  configSchema: passthroughOptions,
  setup(ctx) {
    ctx.provide('Transcoder', {
      name: ctx.name,
      capabilitiesFor: () => ({ class: ctx.options.class }),
      transcode: async () => undefined,
    });
  },
});
