import { definePlugin, type DeliveryRequest, type PluginContext, type Transcoder } from '@openmmsc/core';

/** Routes +1555… to local handsets and +4470… to the MM4 peer mms.peer.example; delivers MM4 into a list. */
export function network() {
  const delivered: DeliveryRequest[] = [];
  let context: PluginContext<unknown> | undefined;
  const plugin = definePlugin({
    name: 'test-network',
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup(ctx) {
      context = ctx;
      ctx.provide('RoutingResolver', {
        name: 'test-network',
        resolve: async (a) =>
          a.value.startsWith('+1555')
            ? { kind: 'route', route: { target: 'local' } }
            : a.value.startsWith('+4470')
              ? { kind: 'route', route: { target: 'mm4', destination: 'mms.peer.example' } }
              : undefined,
      });
      ctx.provide('Deliverer', {
        target: 'mm4',
        deliver: async (request) => {
          delivered.push(request);
          return { status: 'forwarded', reference: `mm4-${delivered.length}` };
        },
      });
    },
  });
  return { plugin, delivered, transcoder: () => context!.service('Transcoder') as Transcoder | undefined };
}
