import { definePlugin } from '@openmmsc/core';
import { z } from 'zod';

export const passthroughOptions = z.object({
  class: z.string().default('original').describe('Adaptation class name reported for every recipient.'),
});

/**
 * The transcoder to run when no adaptation is wanted: every recipient gets the original parts.
 * It still takes the transcoder slot, so swapping in a real one (MM11) is a config change.
 */
export default definePlugin({
  name: '@openmmsc/plugin-transcode-passthrough',
  version: '0.1.0',
  apiVersion: '^1.0.0',
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
