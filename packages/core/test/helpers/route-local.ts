import { definePlugin } from '@openmmsc/core';

/** Routes every recipient to the local target (handsets this MMSC notifies). */
export const routeLocal = definePlugin({
  name: 'route-local',
  version: '0.0.0',
  apiVersion: '^1.0.0',
  setup: () => ({
    route: (ctx) => {
      for (const r of ctx.recipients) ctx.route(r, { target: 'local' });
    },
  }),
});
