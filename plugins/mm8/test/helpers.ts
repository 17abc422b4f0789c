import { definePlugin } from '@openmmsc/core';

/** Routes every recipient to a local handset. */
export const localPhones = definePlugin({
  name: 'local-phones',
  version: '0',
  apiVersion: '^1.0.0',
  setup(ctx) {
    ctx.provide('RoutingResolver', { name: 'local-phones', resolve: async () => ({ kind: 'route', route: { target: 'local' } }) });
  },
});
